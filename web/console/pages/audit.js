import { h, table, field, form, when, notice } from '../dom.js';

// The audit log, newest first, in plain words, with the chain's verification:
// every entry is linked to the one before by its hash, so a changed or
// removed entry breaks the chain from there on.
export async function render(main, { api }) {
  const verify = await api.get('/audit/verify');
  const results = h('div', {});
  async function load(target) {
    const { items } = await api.get('/audit', { limit: 200, target: target || undefined });
    results.replaceChildren(table([
      { label: 'When', cell: (e) => when(e.at) },
      { label: 'What', cell: (e) => e.what },
      { label: 'By', cell: (e) => e.by.replace(/^by /, '') },
      { label: 'About', cell: (e) => e.detail?.replace(/^for /, '') ?? '' },
      { label: '#', cell: (e) => String(e.seq) },
    ], items, { caption: 'Audit entries, newest first', empty: 'No entry matches.' }));
  }
  main.append(h('h1', { tabindex: -1 }, 'Audit log'),
    verify.ok
      ? notice(`The chain verifies: ${verify.entries} entries, head ${verify.head ?? '—'}.`, 'ok')
      : notice(`The chain is broken at entry ${verify.broken?.seq}: ${verify.broken?.reason}. Someone changed the log outside Tessera.`, 'error'),
    form({ className: 'inline', submit: 'Filter', fields: [field('About (e.g. user:…, policy:…)', h('input', { name: 'target', autocomplete: 'off' }))], onSubmit: async (v) => load(v.target.trim()) }),
    results);
  await load('');
}
