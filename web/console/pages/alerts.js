import { h, table, when, badge, actions } from '../dom.js';
import { SEVERITY, label } from '../words.js';

// Open alerts, most recent first, each acknowledged by a person (recorded).
export async function render(main, ctx) {
  const { api, can } = ctx;
  const [{ items }, failed] = await Promise.all([api.get('/alerts', { limit: 200 }), api.get('/deliveries', { status: 'failed', limit: 50 })]);
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
    ], items, { caption: 'Open alerts', empty: 'No open alert.' }),
    h('section', { class: 'panel' }, h('h2', {}, 'Deliveries given up on'),
      h('p', {}, 'Alerts and notices that could not be sent by e-mail, webhook or syslog after every retry.'),
      table([
        { label: 'Channel', cell: (d) => d.channel },
        { label: 'Queued', cell: (d) => when(d.createdAt) },
        { label: 'Tries', cell: (d) => String(d.attempts) },
        { label: 'Why', cell: (d) => d.lastError ?? '' },
        // Once the mail server, receiver or collector is fixed (recorded).
        { label: '', cell: (d) => (can('policies:write') ? act('Send again', () => api.post(`/deliveries/${d.id}/retry`, {})) : '') },
      ], failed.items, { caption: 'Failed deliveries', empty: 'None: everything was delivered.' })));
}
