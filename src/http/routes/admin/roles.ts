import { z } from 'zod';
import { ROLES } from '../../../directory/roles.ts';
import { grantRole, revokeRole, roleDefinitions, roleHolders } from '../../../directory/role-grants.ts';
import { defineOperation, type Operation } from './operation.ts';
import { idParams, listOf, roleDefinitionOut, roleGrantOut, userOut } from './schemas.ts';

const tag = 'roles';
const role = z.enum(ROLES);

export const roleOperations: Operation[] = [
  defineOperation({
    method: 'GET', path: '/roles', operationId: 'listRoles', summary: 'List the role definitions (fixed, defined in code)', tag, permission: 'roles:read',
    response: listOf(roleDefinitionOut),
    handler: async () => ({ items: roleDefinitions() }),
  }),
  defineOperation({
    method: 'GET', path: '/roles/:role/holders', operationId: 'listRoleHolders', summary: 'List the users who hold a role', tag, permission: 'roles:read',
    params: z.object({ role }),
    response: listOf(userOut),
    handler: async ({ ctx, params }) => ({ items: await roleHolders(ctx.store.db, params.role) }),
  }),
  defineOperation({
    method: 'POST', path: '/users/:id/roles', operationId: 'grantRole', summary: 'Grant a role to a user', tag, permission: 'roles:write',
    params: idParams, body: z.strictObject({ role }),
    response: roleGrantOut, status: 201, errors: [404, 409],
    handler: async ({ ctx, params, body, by }) => grantRole(ctx.store, params.id, body.role, by),
  }),
  defineOperation({
    method: 'DELETE', path: '/users/:id/roles/:role', operationId: 'revokeRole', summary: 'Revoke a role (refused for the last active global admin\'s global_admin)', tag, permission: 'roles:write',
    params: z.object({ id: z.string().min(1).max(128), role }),
    errors: [404, 409],
    handler: async ({ ctx, params, by }) => revokeRole(ctx.store, params.id, params.role, by),
  }),
];
