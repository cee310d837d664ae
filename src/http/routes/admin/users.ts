import { z } from 'zod';
import {
  createUser,
  deleteUser,
  disableUser,
  enableUser,
  listUsers,
  newUserSchema,
  setUserPassword,
  updateUser,
  userFilterSchema,
  userPatchSchema,
} from '../../../directory/users.ts';
import { describeUser } from '../../../directory/user-details.ts';
import { patchedFields, refuseIfUserOwned } from '../../../directory/provenance.ts';
import { endAccessIn } from '../../../signin/session/revoke-everywhere.ts';
import { defineOperation, type Operation } from './operation.ts';
import { idParams, listOf, userDetailOut, userOut } from './schemas.ts';

const tag = 'users';
const passwordField = z.string().min(1, 'must not be empty').max(1024).describe('Checked against the password rules; stored as argon2id');

export const userOperations: Operation[] = [
  defineOperation({
    method: 'GET', path: '/users', operationId: 'listUsers', summary: 'List users', tag, permission: 'users:read',
    query: userFilterSchema,
    response: listOf(userOut),
    handler: async ({ ctx, query }) => ({ items: await listUsers(ctx.store.db, query) }),
  }),
  defineOperation({
    method: 'POST', path: '/users', operationId: 'createUser', summary: 'Create a user', tag, permission: 'users:write',
    body: z.strictObject({ ...newUserSchema.shape, password: passwordField.optional() }),
    response: userOut, status: 201, errors: [409],
    handler: async ({ ctx, body, by }) => createUser(ctx.store, body, by, { issuer: ctx.config.issuer }),
  }),
  defineOperation({
    method: 'GET', path: '/users/:id', operationId: 'getUser', summary: 'Show a user (by id or username) with roles and groups', tag, permission: 'users:read',
    params: idParams,
    response: userDetailOut, errors: [404],
    handler: async ({ ctx, params }) => describeUser(ctx.store.db, params.id),
  }),
  defineOperation({
    method: 'PATCH', path: '/users/:id', operationId: 'updateUser', summary: 'Change a user\'s username, email, display name or kind', tag, permission: 'users:write',
    params: idParams, body: userPatchSchema,
    response: userOut, errors: [404, 409],
    // What a directory or SCIM client provides is changed there, never here (409 naming the source).
    handler: async ({ ctx, params, body, by }) => {
      await refuseIfUserOwned(ctx.store.db, params.id, patchedFields(body));
      return updateUser(ctx.store, params.id, body, by);
    },
  }),
  defineOperation({
    method: 'POST', path: '/users/:id/disable', operationId: 'disableUser', summary: 'Disable a user (refused for the last active global admin)', tag, permission: 'users:write',
    params: idParams,
    response: userOut, errors: [404, 409],
    handler: async ({ ctx, params, by }) => {
      await refuseIfUserOwned(ctx.store.db, params.id, ['status']);
      return disableUser(ctx.store, params.id, by);
    },
  }),
  defineOperation({
    method: 'POST', path: '/users/:id/enable', operationId: 'enableUser', summary: 'Enable a disabled user', tag, permission: 'users:write',
    params: idParams,
    response: userOut, errors: [404, 409],
    handler: async ({ ctx, params, by }) => {
      await refuseIfUserOwned(ctx.store.db, params.id, ['status']);
      return enableUser(ctx.store, params.id, by);
    },
  }),
  defineOperation({
    method: 'PUT', path: '/users/:id/password', operationId: 'setUserPassword', summary: 'Set or replace a user\'s password; ends every session and app token of the user', tag, permission: 'users:write',
    params: idParams, body: z.strictObject({ password: passwordField }),
    errors: [404, 409],
    // A reset by an admin signs the user out everywhere: whoever knew the old password is out too.
    // A password checked by the directory is changed there.
    handler: async ({ ctx, params, body, by }) => {
      await refuseIfUserOwned(ctx.store.db, params.id, ['password']);
      await setUserPassword(ctx.store, params.id, body.password, by, { endAccess: endAccessIn, issuer: ctx.config.issuer });
    },
  }),
  defineOperation({
    method: 'DELETE', path: '/users/:id', operationId: 'deleteUser', summary: 'Delete a user (refused for the last active global admin)', tag, permission: 'users:write',
    params: idParams,
    errors: [404, 409],
    handler: async ({ ctx, params, by }) => {
      await refuseIfUserOwned(ctx.store.db, params.id, ['account']);
      await deleteUser(ctx.store, params.id, by);
    },
  }),
];
