import { h, table, field, form, select, when, badge } from '../dom.js';
import { RESULT, label, reasonText } from '../words.js';

// The sign-in log: every attempt, with why it ended as it did, what each
// enforced policy that applied did and what each report-only one would have.
const EFFECT = { block: 'blocked it', unsatisfied: 'asked for more', satisfied: 'was satisfied' };
const WOULD = { block: 'would have blocked it', unsatisfied: 'would have asked for more', satisfied: 'would have been satisfied' };

function policyLines(s) {
  const enforced = Array.isArray(s.policies) ? s.policies.map((p) => `${p.name}: ${EFFECT[p.effect] ?? p.effect}`) : [];
  const reportOnly = Array.isArray(s.reportOnly) ? s.reportOnly.map((r) => `${r.name} (report-only): ${WOULD[r.wouldBe] ?? r.wouldBe}`) : [];
  const lines = [...enforced, ...reportOnly];
  return lines.length ? h('ul', { class: 'plain' }, lines.map((l) => h('li', {}, l))) : 'No policy applied';
}
export async function render(main, { api }) {
  const results = h('div', {});
  async function load(filter) {
    const { items } = await api.get('/signins', { ...filter, limit: 200 });
    results.replaceChildren(table([
      { label: 'When', cell: (s) => when(s.at) },
      { label: 'Person', cell: (s) => s.username ?? '—' },
      { label: 'App', cell: (s) => s.clientId ?? 'Account page' },
      { label: 'Result', cell: (s) => badge(label(RESULT, s.result), s.result === 'success' ? 'ok' : 'warn') },
      { label: 'Why', cell: (s) => reasonText(s.reason) },
      { label: 'Methods', cell: (s) => s.methodsUsed.join(', ') },
      { label: 'From', cell: (s) => s.ip ?? '' },
      { label: 'Policies', cell: (s) => policyLines(s) },
    ], items, { caption: 'Sign-ins, newest first', empty: 'No sign-in matches.' }));
  }
  main.append(h('h1', { tabindex: -1 }, 'Sign-in log'),
    form({
      className: 'inline', submit: 'Filter',
      fields: [
        field('Person', h('input', { name: 'user', autocomplete: 'off' })),
        field('Result', select('result', [['', 'Any'], ...Object.entries(RESULT)])),
        field('Since', h('input', { name: 'since', type: 'date' })),
      ],
      onSubmit: async (v) => load({ user: v.user.trim() || undefined, result: v.result || undefined, since: v.since ? new Date(v.since).toISOString() : undefined }),
    }),
    results);
  await load({});
}
