import { h, table, link, field, form } from '../dom.js';

// Groups (what policies, roll-out stages and methods target) and who holds
// each administrative role.
export async function render(main, ctx) {
  const { api, can, navigate } = ctx;
  const [groups, roles] = await Promise.all([api.get('/groups'), can('roles:read') ? api.get('/roles') : { items: [] }]);
  const held = await Promise.all(roles.items.map(async (r) => ({ ...r, holders: (await api.get(`/roles/${r.name}/holders`)).items })));
  main.append(h('h1', { tabindex: -1 }, 'Groups and roles'),
    h('section', { class: 'panel' }, h('h2', {}, 'Groups'),
      table([
        { label: 'Group', cell: (g) => link(`/admin/groups/${encodeURIComponent(g.id)}`, g.name, navigate) },
        { label: 'Members', cell: (g) => String(g.memberCount) },
        { label: 'About', cell: (g) => g.description ?? '' },
      ], groups.items, { caption: 'Groups', empty: 'No group yet.' }),
      can('groups:write') ? form({
        className: 'inline', submit: 'Create the group',
        fields: [field('New group', h('input', { name: 'name', required: true, maxlength: 128 }))],
        onSubmit: async (v) => { await api.post('/groups', { name: v.name.trim() }); navigate(location.pathname, { replace: true }); },
      }) : null),
    roles.items.length ? h('section', { class: 'panel' }, h('h2', {}, 'Roles'),
      table([
        { label: 'Role', cell: (r) => r.name.replaceAll('_', ' ') },
        { label: 'Privileged', cell: (r) => (r.privileged ? 'Yes' : 'No') },
        { label: 'Held by', cell: (r) => r.holders.map((u) => u.username).join(', ') || 'Nobody' },
        { label: 'May', cell: (r) => r.permissions.join(', ') },
      ], held, { caption: 'Roles are fixed; grant one on a person\'s page' })) : null);
}
