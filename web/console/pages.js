// The console's pages: where each lives, what it is called, and the permission
// that shows it. The server enforces the same permissions on every call; this
// only keeps a page out of the menu of someone who could not use it.
export const PAGES = [
  { path: '/admin', title: 'Overview', permission: 'users:read', module: './pages/overview.js' },
  { path: '/admin/posture', title: 'Posture', permission: 'audit:read', module: './pages/posture.js' },
  { path: '/admin/users', title: 'Users', permission: 'users:read', module: './pages/users.js' },
  { path: '/admin/users/:id', title: 'User', permission: 'users:read', module: './pages/user.js', hidden: true },
  { path: '/admin/groups', title: 'Groups and roles', permission: 'groups:read', module: './pages/groups.js' },
  { path: '/admin/groups/:id', title: 'Group', permission: 'groups:read', module: './pages/group.js', hidden: true },
  { path: '/admin/helpdesk', title: 'Helpdesk', permission: 'recovery:write', module: './pages/helpdesk.js' },
  { path: '/admin/helpdesk/:id', title: 'Helpdesk case', permission: 'recovery:write', module: './pages/case.js', hidden: true },
  { path: '/admin/policies', title: 'Conditional access', permission: 'policies:read', module: './pages/policies.js' },
  { path: '/admin/policies/:id', title: 'Policy', permission: 'policies:read', module: './pages/policy.js', hidden: true },
  { path: '/admin/exceptions', title: 'Exceptions', permission: 'policies:read', module: './pages/exceptions.js' },
  { path: '/admin/methods', title: 'Methods', permission: 'methods:read', module: './pages/methods.js' },
  { path: '/admin/rollout', title: 'Roll-out', permission: 'policies:read', module: './pages/rollout.js' },
  { path: '/admin/apps', title: 'Apps', permission: 'clients:read', module: './pages/apps.js' },
  { path: '/admin/devices', title: 'Devices', permission: 'devices:read', module: './pages/devices.js' },
  { path: '/admin/breakglass', title: 'Break-glass', permission: 'users:read', module: './pages/breakglass.js' },
  { path: '/admin/signins', title: 'Sign-in log', permission: 'signins:read', module: './pages/signins.js' },
  { path: '/admin/alerts', title: 'Alerts', permission: 'audit:read', module: './pages/alerts.js' },
  { path: '/admin/audit', title: 'Audit log', permission: 'audit:read', module: './pages/audit.js' },
  { path: '/admin/tokens', title: 'API tokens', permission: 'tokens:write', module: './pages/tokens.js' },
];

/** The page a path shows, with its parameters; null for an unknown path. */
export function match(pathname) {
  const parts = pathname.replace(/\/+$/, '').split('/');
  for (const page of PAGES) {
    const pattern = page.path.split('/');
    if (pattern.length !== parts.length) continue;
    const params = {};
    if (pattern.every((p, i) => (p.startsWith(':') ? ((params[p.slice(1)] = decodeURIComponent(parts[i])), true) : p === parts[i]))) {
      return { page, params };
    }
  }
  return null;
}
