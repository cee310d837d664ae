import { h, table, field, form, select, when, relative, button, badge, actions } from '../dom.js';

// API tokens, each owned by a person and ending by itself. A new token is
// shown once; revoking one stops it at once.
const STATE = { active: 'Active', expired: 'Expired', revoked: 'Revoked', owner_inactive: 'Owner inactive' };
const ROLES = ['auditor', 'helpdesk', 'security_admin', 'global_admin', 'provisioning'];

export async function render(main, ctx) {
  const { api } = ctx;
  const { items } = await api.get('/tokens');
  const status = h('div', { role: 'status' });
  const act = actions(status, ctx.navigate);
  main.append(h('h1', { tabindex: -1 }, 'API tokens'),
    h('p', {}, 'For scripts and other systems. Each token answers to a person, holds one role and ends by itself.'),
    status,
    table([
      { label: 'Name', cell: (t) => t.name },
      { label: 'Role', cell: (t) => t.role.replaceAll('_', ' ') },
      { label: 'Owner', cell: (t) => t.owner?.username ?? 'No owner (created before owners)' },
      { label: 'State', cell: (t) => badge(STATE[t.state] ?? t.state, t.state === 'active' ? 'ok' : 'warn') },
      { label: 'Ends', cell: (t) => h('time', { datetime: t.expiresAt ?? '', title: when(t.expiresAt) }, relative(t.expiresAt)) },
      { label: 'Last used', cell: (t) => (t.lastUsedAt ? `${when(t.lastUsedAt)} from ${t.lastUsedAddress ?? 'unknown'}` : 'Never') },
      { label: '', cell: (t) => (t.state === 'revoked' ? '' : act('Revoke', () => api.del(`/tokens/${t.id}`), `Revoke the token "${t.name}"? Whatever uses it stops working now.`)) },
    ], items, { caption: 'API tokens', empty: 'No token.' }),
    h('section', { class: 'panel' }, h('h2', {}, 'New token'),
      form({
        submit: 'Create the token',
        fields: [
          field('Name', h('input', { name: 'name', required: true, maxlength: 64 })),
          field('Role', select('role', ROLES.map((r) => [r, r.replaceAll('_', ' ')]))),
          field('Ends after (days)', h('input', { name: 'days', type: 'number', min: 1, max: 365, value: 90 }), 'At most a year. You own the token.'),
        ],
        onSubmit: async (v, el) => {
          const t = await api.post('/tokens', { name: v.name.trim(), role: v.role, expiresInDays: Number(v.days) || undefined });
          el.replaceWith(h('div', {}, h('p', {}, 'Copy the token now: it is shown this once.'), h('p', { class: 'secret' }, t.token), button('Done', () => ctx.navigate(location.pathname, { replace: true }))));
        },
      })));
}
