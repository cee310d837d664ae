import { h, table, when, badge, actions } from '../dom.js';

// Devices people sign in from: managed and compliant or not, and the lost or
// retired ones. Reporting a device lost removes what was bound to it.
const STATUS = { active: 'In use', lost: 'Lost', retired: 'Retired' };

export async function render(main, ctx) {
  const { api, can } = ctx;
  const { items } = await api.get('/devices', { limit: 500 });
  const status = h('div', { role: 'status' });
  const act = actions(status, ctx.navigate);
  main.append(h('h1', { tabindex: -1 }, 'Devices'), status,
    table([
      { label: 'Device', cell: (d) => d.label },
      { label: 'Platform', cell: (d) => d.platform ?? '' },
      { label: 'Managed', cell: (d) => (d.managed ? (d.compliant ? badge('Compliant', 'ok') : badge('Not compliant', 'warn')) : 'No') },
      { label: 'State', cell: (d) => STATUS[d.status] ?? d.status },
      { label: 'Last seen', cell: (d) => when(d.lastSeenAt) },
      { label: '', cell: (d) => (can('devices:write') && d.status === 'active'
        ? act('Report lost', () => api.post(`/devices/${d.id}/lost`, {}), `Report "${d.label}" lost? The methods on it stop working at once.`) : '') },
    ], items, { caption: 'Devices', empty: 'No device registered.' }));
}
