import { z } from 'zod';
import { addGroupMember, createGroup, deleteGroup, getGroup, listGroups, newGroupSchema, removeGroupMember } from '../../../directory/groups.ts';
import { originOfGroup, originsOfGroups, refuseIfGroupOwned } from '../../../directory/provenance.ts';
import { defineOperation, type Operation } from './operation.ts';
import { groupDetailOut, groupOut, idParams, listOf } from './schemas.ts';

const tag = 'groups';
const ref = z.string().min(1).max(128);
const LOCAL = { kind: 'local' as const };

export const groupOperations: Operation[] = [
  defineOperation({
    method: 'GET', path: '/groups', operationId: 'listGroups', summary: 'List groups with their member counts', tag, permission: 'groups:read',
    response: listOf(groupOut),
    handler: async ({ ctx }) => {
      const origins = await originsOfGroups(ctx.store.db);
      return { items: (await listGroups(ctx.store.db)).map((g) => ({ ...g, origin: origins.get(g.id) ?? LOCAL })) };
    },
  }),
  defineOperation({
    method: 'POST', path: '/groups', operationId: 'createGroup', summary: 'Create a group', tag, permission: 'groups:write',
    body: z.strictObject(newGroupSchema.shape),
    response: groupOut, status: 201, errors: [409],
    handler: async ({ ctx, body, by }) => ({ ...(await createGroup(ctx.store, body, by)), origin: LOCAL }),
  }),
  defineOperation({
    method: 'GET', path: '/groups/:id', operationId: 'getGroup', summary: 'Show a group (by id or name) with its members', tag, permission: 'groups:read',
    params: idParams,
    response: groupDetailOut, errors: [404],
    handler: async ({ ctx, params }) => {
      const group = await getGroup(ctx.store.db, params.id);
      return { ...group, origin: await originOfGroup(ctx.store.db, group.id) };
    },
  }),
  defineOperation({
    method: 'DELETE', path: '/groups/:id', operationId: 'deleteGroup', summary: 'Delete a group and its memberships', tag, permission: 'groups:write',
    params: idParams,
    errors: [404, 409],
    handler: async ({ ctx, params, by }) => {
      await refuseIfGroupOwned(ctx.store.db, params.id, 'group');
      await deleteGroup(ctx.store, params.id, by);
    },
  }),
  defineOperation({
    method: 'POST', path: '/groups/:id/members', operationId: 'addGroupMember', summary: 'Add a user (by id or username) to a group', tag, permission: 'groups:write',
    params: idParams, body: z.strictObject({ userId: ref.describe('User id or username') }),
    status: 204, errors: [404, 409],
    handler: async ({ ctx, params, body, by }) => {
      await refuseIfGroupOwned(ctx.store.db, params.id, 'members');
      await addGroupMember(ctx.store, params.id, body.userId, by);
    },
  }),
  defineOperation({
    method: 'DELETE', path: '/groups/:id/members/:userId', operationId: 'removeGroupMember', summary: 'Remove a user from a group', tag, permission: 'groups:write',
    params: z.object({ id: ref, userId: ref }),
    errors: [404, 409],
    handler: async ({ ctx, params, by }) => {
      await refuseIfGroupOwned(ctx.store.db, params.id, 'members');
      await removeGroupMember(ctx.store, params.id, params.userId, by);
    },
  }),
];
