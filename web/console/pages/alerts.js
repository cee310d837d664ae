import { h, table, when, badge, actions } from '../dom.js';
import { SEVERITY, label } from '../words.js';

// Open alerts, most recent first, each acknowledged by a person (recorded).
export async function render(main, ctx) {
  const { api, can } = ctx;
  const { items } = await api.get('/alerts', { limit: 200 });
  const status = h('div', { role: 'status' });
  const act = actions(status, ctx.navigate);
  main.append(h('h1', { tabindex: -1 }, 'Alerts'), status,
    table([
      { label: 'When', cell: (a) => when(a.createdAt) },
      { label: 'Severity', cell: (a) => badge(label(SEVERITY, a.severity), `sev-${a.severity}`) },
      { label: 'What', cell: (a) => a.kind.replaceAll('.', ' ').replaceAll('_', ' ') },
      { label: 'Person', cell: (a) => a.username ?? '' },
      { label: 'Details', cell: (a) => Object.entries(a.details).map(([k, v]) => `${k}: ${typeof v === 'object' ? JSON.stringify(v) : v}`).join('; ') },
      { label: '', cell: (a) => (can('policies:write') ? act('Acknowledge', () => api.post(`/alerts/${a.id}/acknowledge`, {})) : '') },
    ], items, { caption: 'Open alerts', empty: 'No open alert.' }));
}
