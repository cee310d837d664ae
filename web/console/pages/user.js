import { h, table, when, notice, button, badge, field, form, select } from '../dom.js';
import { METHOD, RESULT, RISK, USER_STATUS, label, reasonText } from '../words.js';

// One person, with what the helpdesk and admins do for them: methods and their
// strength, locks, sessions, recent sign-ins, roles, password, disable and
// offboard. Each button is one admin API operation; the server checks the role.
export async function render(main, ctx) {
  const { api, params } = ctx;
  const id = encodeURIComponent(params.id);
  const [user, signins, sessions, devices] = await Promise.all([
    api.get(`/users/${id}`),
    api.get('/signins', { user: params.id, limit: 20 }).catch(() => ({ items: [] })),
    api.get(`/users/${id}/sessions`),
    ctx.can('devices:read') ? api.get('/devices', { userId: params.id }) : { items: [] },
  ]);
  const status = h('div', { role: 'status', class: 'action-status' });
  const act = (labelText, fn, confirmText) => button(labelText, async () => {
    if (confirmText && !window.confirm(confirmText)) return;
    try {
      const message = await fn();
      status.replaceChildren(notice(message ?? 'Done.', 'ok'));
      setTimeout(() => ctx.navigate(location.pathname, { replace: true }), 1200);
    } catch (err) {
      status.replaceChildren(notice(err.message, 'error'));
    }
  });
  main.append(
    h('h1', { tabindex: -1 }, user.displayName ? `${user.displayName} (${user.username})` : user.username),
    h('p', {}, badge(label(USER_STATUS, user.status), user.status === 'active' ? 'ok' : 'warn'), ' ', user.email ?? 'No e-mail address',
      user.origin.kind !== 'local' ? ` · comes from ${user.origin.kind === 'ldap' ? 'the directory' : 'SCIM'} ${user.origin.name}` : ''),
    status,
    h('section', { class: 'panel' }, h('h2', {}, 'Sign-in methods'),
      table([
        { label: 'Method', cell: (m) => methodName(m) },
        { label: 'Strength', cell: (m) => (m.phishingResistant ? badge('Phishing-resistant', 'ok') : m.type === 'password' ? badge('Knowledge', '') : badge('MFA', '')) },
        { label: 'Added', cell: (m) => when(m.createdAt) },
        { label: 'Last used', cell: (m) => when(m.lastUsedAt) },
        { label: 'Device', cell: (m) => m.deviceLabel ?? '' },
        { label: '', cell: (m) => (m.type === 'password' ? '' : act('Remove', async () => {
          const r = await api.del(`/users/${id}/methods/${encodeURIComponent(m.type)}/${encodeURIComponent(m.id)}`);
          return ['Method removed.', ...(r?.warnings ?? [])].join(' ');
        }, `Remove ${label(METHOD, m.kind)} "${m.name}" from ${user.username}?`)) },
      ], user.methods, { caption: 'Registered methods', empty: 'No method registered yet.' })),
    h('section', { class: 'panel' }, h('h2', {}, 'Locks'),
      user.factorLocks.length
        ? [table([
            { label: 'Method', cell: (l) => label(METHOD, l.method) },
            { label: 'Failures in a row', cell: (l) => String(l.failures) },
            { label: 'Locked', cell: (l) => (l.permanent ? 'Until the helpdesk unlocks it' : l.lockedUntil ? `Until ${when(l.lockedUntil)}` : 'No') },
          ], user.factorLocks, { caption: 'Failed attempts' }), act('Unlock', async () => { await api.post(`/users/${id}/unlock`, {}); return 'Unlocked.'; })]
        : h('p', {}, 'No failed attempts.')),
    h('section', { class: 'panel' }, h('h2', {}, 'Signed in now'),
      h('p', {}, `Risk as conditional access sees it: ${RISK[sessions.risk] ?? sessions.risk}.`),
      table([
        { label: 'Since', cell: (s) => when(s.createdAt) },
        { label: 'Last active', cell: (s) => when(s.lastSeenAt) },
        { label: 'With', cell: (s) => s.methods.map((m) => label(METHOD, m)).join(', ') },
        { label: 'From', cell: (s) => s.ip ?? '' },
        { label: 'Browser', cell: (s) => s.userAgent ?? '' },
      ], sessions.items, { caption: 'Live sessions', empty: 'Not signed in anywhere.' })),
    h('section', { class: 'panel' }, h('h2', {}, 'Devices'),
      table([
        { label: 'Device', cell: (d) => d.label },
        { label: 'State', cell: (d) => d.status },
        { label: 'Managed', cell: (d) => (d.managed ? (d.compliant ? 'Compliant' : 'Not compliant') : 'No') },
        { label: 'Last seen', cell: (d) => when(d.lastSeenAt) },
      ], devices.items, { caption: 'Devices', empty: 'No device registered.' })),
    h('section', { class: 'panel' }, h('h2', {}, 'Recent sign-ins'),
      table([
        { label: 'When', cell: (s) => when(s.at) },
        { label: 'App', cell: (s) => s.clientId ?? 'Account page' },
        { label: 'Result', cell: (s) => badge(label(RESULT, s.result), s.result === 'success' ? 'ok' : 'warn') },
        { label: 'Why', cell: (s) => reasonText(s.reason) },
        { label: 'From', cell: (s) => s.ip ?? '' },
      ], signins.items, { caption: 'Last 20 sign-ins', empty: 'No sign-ins yet.' })),
    rolesPanel(ctx, user, act),
    h('section', { class: 'panel' }, h('h2', {}, 'Account'),
      h('div', { class: 'actions' },
        act('End all sessions', async () => { const r = await api.post(`/users/${id}/sessions/revoke`, {}); return `Ended ${r.sessions} session(s) and ${r.appSessions} app session(s).`; },
          `Sign ${user.username} out everywhere?`),
        user.status === 'active'
          ? act('Disable', async () => { await api.post(`/users/${id}/disable`); return 'Disabled.'; }, `Disable ${user.username}? They can no longer sign in anywhere.`)
          : act('Enable', async () => { await api.post(`/users/${id}/enable`); return 'Enabled.'; }),
        act('Offboard', async () => { await api.post(`/users/${id}/offboard`, {}); return 'Offboarded: access ended, devices retired.'; },
          `Offboard ${user.username}? Every session ends, their devices are retired and the account is disabled.`)),
      passwordForm(api, id)),
  );
}

/** "Security key — Blue key"; the kind alone when the name only repeats it. */
function methodName(m) {
  const kind = label(METHOD, m.kind);
  return m.name && ![kind.toLowerCase(), m.kind.toLowerCase()].includes(m.name.toLowerCase()) ? `${kind} — ${m.name}` : kind;
}

function rolesPanel({ api, can }, user, act) {
  const id = encodeURIComponent(user.id);
  const roles = ['global_admin', 'security_admin', 'helpdesk', 'auditor', 'provisioning'];
  return h('section', { class: 'panel' }, h('h2', {}, 'Roles and groups'),
    table([
      { label: 'Role', cell: (r) => r.role.replaceAll('_', ' ') },
      { label: 'Since', cell: (r) => when(r.grantedAt) },
      { label: '', cell: (r) => (can('roles:write') ? act('Take away', async () => { await api.del(`/users/${id}/roles/${r.role}`); return 'Role taken away.'; }, `Take the ${r.role} role from ${user.username}?`) : '') },
    ], user.roles, { caption: 'Roles', empty: 'No administrative role.' }),
    can('roles:write') ? form({
      className: 'inline', submit: 'Grant role', fields: [field('Role', select('role', roles.map((r) => [r, r.replaceAll('_', ' ')])))],
      onSubmit: async ({ role }) => { await api.post(`/users/${id}/roles`, { role }); location.reload(); },
    }) : null,
    h('p', {}, user.groups.length ? `Groups: ${user.groups.map((g) => g.name).join(', ')}` : 'In no group.'));
}

function passwordForm(api, id) {
  const input = h('input', { name: 'password', type: 'password', autocomplete: 'new-password', required: true });
  const done = h('p', { role: 'status' });
  return form({
    submit: 'Set a new password', fields: [field('New password', input, 'Tell the person over a channel you trust; they can change it on their account page.')],
    onSubmit: async ({ password }, el) => {
      await api.put(`/users/${id}/password`, { password });
      el.reset();
      done.textContent = 'Password set.';
      el.append(done);
    },
  });
}
