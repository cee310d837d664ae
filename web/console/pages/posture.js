import { h, table, badge } from '../dom.js';

// The MFA posture checklist, computed now from this system's own data: each
// row passes or fails, with the figures behind it and, when it fails, the fix.
function figures(f) {
  return Object.entries(f).map(([k, v]) => `${k.replace(/([A-Z])/g, ' $1').toLowerCase()}: ${Array.isArray(v) ? (v.join(', ') || 'none') : v}`).join('; ');
}

export async function render(main, { api }) {
  const { items } = await api.get('/posture');
  const failing = items.filter((r) => r.status === 'fail').length;
  main.append(h('h1', { tabindex: -1 }, 'Posture'),
    h('p', { class: 'impact' }, failing ? `${failing} of ${items.length} checks need attention.` : `All ${items.length} checks pass.`),
    table([
      { label: 'Check', cell: (r) => r.title },
      { label: 'Result', cell: (r) => (r.status === 'pass' ? badge('Pass', 'ok') : badge('Fail', 'warn')) },
      { label: 'Figures', cell: (r) => figures(r.figures) },
      { label: 'What to do', cell: (r) => r.fix ?? '' },
    ], items, { caption: 'MFA posture checklist' }));
}
