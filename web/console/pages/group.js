import { h, table, link, field, form, actions } from '../dom.js';

// One group's members: add and remove people (a group a directory provides is changed there).
export async function render(main, ctx) {
  const { api, params, can, navigate } = ctx;
  const id = encodeURIComponent(params.id);
  const group = await api.get(`/groups/${id}`);
  const status = h('div', { role: 'status' });
  const act = actions(status, navigate);
  main.append(h('h1', { tabindex: -1 }, `Group ${group.name}`), status,
    group.description ? h('p', {}, group.description) : null,
    table([
      { label: 'Person', cell: (u) => link(`/admin/users/${encodeURIComponent(u.id)}`, u.username, navigate) },
      { label: 'Name', cell: (u) => u.displayName ?? '' },
      { label: '', cell: (u) => (can('groups:write') ? act('Remove', () => api.del(`/groups/${id}/members/${encodeURIComponent(u.id)}`), `Remove ${u.username} from ${group.name}?`) : '') },
    ], group.members, { caption: 'Members', empty: 'Nobody yet.' }),
    can('groups:write') ? form({
      className: 'inline', submit: 'Add to the group',
      fields: [field('Username', h('input', { name: 'user', required: true, autocomplete: 'off' }))],
      onSubmit: async (v) => { await api.post(`/groups/${id}/members`, { userId: v.user.trim() }); navigate(location.pathname, { replace: true }); },
    }) : null);
}
