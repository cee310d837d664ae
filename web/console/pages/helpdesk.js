import { h, table, link, field, form, select, when } from '../dom.js';
import { SCENARIO, STEP, label } from '../words.js';

// The three runbooks as guided cases: open one for the person who called,
// then work it step by step on its own page.
export async function render(main, { api, navigate }) {
  const { items } = await api.get('/cases', { status: 'open' });
  main.append(
    h('h1', { tabindex: -1 }, 'Helpdesk'),
    h('section', { class: 'panel' }, h('h2', {}, 'Open a case'),
      h('p', {}, 'For someone who lost their phone, is changing phones, or is new and has no method yet. The case guides you: check who is asking, give a Temporary Access Pass, confirm their new method, remove the old device.'),
      form({
        submit: 'Open the case',
        fields: [
          field('Username', h('input', { name: 'user', required: true, autocomplete: 'off' })),
          field('What happened', select('scenario', Object.entries(SCENARIO))),
          field('Notes (optional)', h('textarea', { name: 'notes', rows: 2, maxlength: 1000 })),
        ],
        onSubmit: async ({ user, scenario, notes }) => {
          const kase = await api.post('/cases', { user: user.trim(), scenario, notes: notes.trim() || undefined });
          navigate(`/admin/helpdesk/${kase.id}`);
        },
      })),
    h('section', { class: 'panel' }, h('h2', {}, 'Open cases'),
      table([
        { label: 'Person', cell: (c) => link(`/admin/helpdesk/${c.id}`, c.username, navigate) },
        { label: 'Case', cell: (c) => c.title },
        { label: 'Next step', cell: (c) => label(STEP, c.nextStep) },
        { label: 'Opened', cell: (c) => when(c.openedAt) },
      ], items, { caption: 'Open cases', empty: 'No open case.' })),
  );
}
