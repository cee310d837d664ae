/**
 * Roles are fixed sets of permissions defined here, in code, so an
 * administrator grants a role and never edits what a role means.
 */
export const PERMISSIONS = [
  'users:read', 'users:write',
  'groups:read', 'groups:write',
  'roles:read', 'roles:write',
  'devices:read', 'devices:write',
  'tokens:write',
  'audit:read',
  'signins:read',
  'clients:read', 'clients:write',
  'methods:read', 'methods:write',
  'policies:read', 'policies:write',
  'recovery:write',
  'scim:provision',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

export const ROLES = ['global_admin', 'security_admin', 'helpdesk', 'auditor', 'provisioning'] as const;
export type Role = (typeof ROLES)[number];

const READ_ALL = PERMISSIONS.filter((p) => p.endsWith(':read'));

export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  global_admin: PERMISSIONS,
  security_admin: [...READ_ALL, 'methods:write', 'policies:write', 'devices:write', 'clients:write', 'groups:write'],
  helpdesk: ['users:read', 'groups:read', 'devices:read', 'devices:write', 'signins:read', 'methods:read', 'recovery:write'],
  auditor: READ_ALL,
  // A directory (an HR system, a cloud directory) that provisions people over SCIM: that and nothing else.
  provisioning: ['scim:provision'],
};

/** Roles whose holders count as administrators (MFA always required, stronger rules). */
export const PRIVILEGED_ROLES: readonly Role[] = ['global_admin', 'security_admin', 'helpdesk'];

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

export function permissionsOf(roles: readonly string[]): Set<Permission> {
  const out = new Set<Permission>();
  for (const r of roles) if (isRole(r)) for (const p of ROLE_PERMISSIONS[r]) out.add(p);
  return out;
}
