import { h, table, badge, actions, field, form, select } from '../dom.js';
import { METHOD, label } from '../words.js';

// Which sign-in methods are allowed, for whom, and the authentication
// strengths policies can ask for.
export async function render(main, ctx) {
  const { api, can } = ctx;
  const [policy, strengths] = await Promise.all([api.get('/methods/policy'), api.get('/strengths')]);
  const status = h('div', { role: 'status' });
  const act = actions(status, ctx.navigate);
  const rows = Object.entries(policy).map(([method, p]) => ({ method, ...p }));
  main.append(h('h1', { tabindex: -1 }, 'Methods and strengths'), status,
    h('section', { class: 'panel' }, h('h2', {}, 'Methods policy'),
      table([
        { label: 'Method', cell: (m) => label(METHOD, m.method) },
        { label: 'Allowed', cell: (m) => (m.enabled ? badge('On', 'ok') : badge('Off', '')) },
        { label: 'For', cell: (m) => (m.includeGroups.length ? `groups ${m.includeGroups.join(', ')}` : 'everyone') + (m.excludeGroups.length ? `, except ${m.excludeGroups.join(', ')}` : '') },
        { label: 'Administrators', cell: (m) => (m.allowAdmins ? 'May use it' : 'May not') },
        { label: '', cell: (m) => (can('methods:write') ? act(m.enabled ? 'Turn off' : 'Turn on', () => api.patch(`/methods/policy/${m.method}`, { enabled: !m.enabled })) : '') },
      ], rows, { caption: 'Methods' }),
      can('methods:write') ? changeMethod(ctx, rows) : null),
    h('section', { class: 'panel' }, h('h2', {}, 'Authentication strengths'),
      table([
        { label: 'Strength', cell: (s) => s.displayName },
        { label: 'What counts', cell: (s) => s.combinations.join(', ') },
        { label: 'Kind', cell: (s) => (s.builtin ? 'Built in' : 'Your own') },
        { label: 'Notes', cell: (s) => s.warnings.join(' ') },
      ], strengths.items ?? [], { caption: 'Strengths policies can require' }),
      can('policies:write') ? newStrength(ctx) : null));
}

const groups = (text) => text.split(',').map((s) => s.trim()).filter(Boolean);

/** Who may use a method: groups in and out, and whether administrators may (the server refuses what would strand someone). */
function changeMethod({ api, navigate }, rows) {
  return h('details', {}, h('summary', {}, 'Change who may use a method'),
    form({
      submit: 'Save',
      fields: [
        field('Method', select('method', rows.map((m) => [m.method, label(METHOD, m.method)]))),
        field('Only these groups (empty: everyone)', h('input', { name: 'include' })),
        field('Never these groups', h('input', { name: 'exclude' })),
        field('Administrators', select('admins', [['yes', 'May use it'], ['no', 'May not']])),
      ],
      onSubmit: async (v) => {
        await api.patch(`/methods/policy/${v.method}`, { includeGroups: groups(v.include), excludeGroups: groups(v.exclude), allowAdmins: v.admins === 'yes' });
        navigate(location.pathname, { replace: true });
      },
    }));
}

function newStrength({ api, navigate }) {
  return h('details', {}, h('summary', {}, 'Add a strength of your own'),
    form({
      submit: 'Add the strength',
      fields: [
        field('Name', h('input', { name: 'name', required: true, maxlength: 64 })),
        field('What it is for', h('input', { name: 'description', maxlength: 256 })),
        field('Combinations that count', h('input', { name: 'combinations', required: true }), 'Comma-separated, e.g. password+webauthn, passkey'),
      ],
      onSubmit: async (v) => {
        await api.post('/strengths', { name: v.name.trim(), description: v.description.trim() || undefined, combinations: groups(v.combinations) });
        navigate(location.pathname, { replace: true });
      },
    }));
}
