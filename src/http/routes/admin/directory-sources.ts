import { z } from 'zod';
import { addSource, getSource, listSources, newSourceSchema, removeSource, sourceNameSchema, sourceUpdateSchema, updateSource } from '../../../protocols/ldap/sources.ts';
import { sourceSettingsSchema } from '../../../protocols/ldap/settings.ts';
import { lastRuns, syncSource } from '../../../protocols/ldap/sync.ts';
import { defineOperation, type Operation } from './operation.ts';
import { listOf } from './schemas.ts';

/**
 * LDAP / Active Directory sources: the CLI's `tessera directory …` twin. The
 * bind password goes in and never comes out. A sync may create, disable and
 * offboard people, so it needs what changing users needs.
 */
const tag = 'directory';
const KINDS = ['create', 'adopt', 'update', 'disable', 'enable', 'returned', 'offboard', 'group_create', 'group_adopt', 'member_add', 'member_remove', 'skip'] as const;

const sourceOut = z.object({
  id: z.string(), name: z.string(), settings: sourceSettingsSchema, createdAt: z.string(), createdBy: z.string(), updatedAt: z.string(),
});
const reportOut = z.object({
  source: z.string(), dryRun: z.boolean(), startedAt: z.string(), finishedAt: z.string(),
  counts: z.partialRecord(z.enum(KINDS), z.number().int()),
  lines: z.array(z.object({ kind: z.enum(KINDS), name: z.string(), detail: z.string(), refused: z.string().optional() })),
});
const runOut = z.object({
  id: z.string(), startedAt: z.string(), finishedAt: z.string(), dryRun: z.boolean(), actor: z.string(), error: z.string().nullable(),
  counts: z.partialRecord(z.enum(KINDS), z.number().int()),
});
const nameParams = z.object({ name: sourceNameSchema });

export const directorySourceOperations: Operation[] = [
  defineOperation({
    method: 'GET', path: '/directory/sources', operationId: 'listDirectorySources', summary: 'List LDAP / Active Directory sources (never the bind password)', tag,
    permission: 'users:read',
    response: listOf(sourceOut),
    handler: async ({ ctx }) => ({ items: await listSources(ctx.store.db) }),
  }),
  defineOperation({
    method: 'POST', path: '/directory/sources', operationId: 'addDirectorySource',
    summary: 'Add an LDAP / Active Directory source: connection (LDAPS or StartTLS), bind account (its password sealed at rest), where people and groups are', tag,
    permission: 'users:write',
    body: newSourceSchema,
    response: sourceOut, status: 201, errors: [409],
    handler: async ({ ctx, body, by }) => addSource(ctx.store, ctx.secrets, body, by),
  }),
  defineOperation({
    method: 'GET', path: '/directory/sources/:name', operationId: 'getDirectorySource', summary: 'Show a source with its last syncs', tag,
    permission: 'users:read',
    params: nameParams,
    response: sourceOut.extend({ runs: z.array(runOut) }), errors: [404],
    handler: async ({ ctx, params }) => {
      const source = await getSource(ctx.store.db, params.name);
      const runs = (await lastRuns(ctx.store, source.id)).map((r) => ({ ...r, counts: 'counts' in r.report ? r.report.counts : {} }));
      return { ...source, runs };
    },
  }),
  defineOperation({
    method: 'PUT', path: '/directory/sources/:name', operationId: 'updateDirectorySource',
    summary: 'Replace a source\'s settings, and its bind password when one is given; what it owns stays its own', tag,
    permission: 'users:write',
    params: nameParams, body: sourceUpdateSchema,
    response: sourceOut, errors: [404],
    handler: async ({ ctx, params, body, by }) => updateSource(ctx.store, ctx.secrets, params.name, body, by),
  }),
  defineOperation({
    method: 'DELETE', path: '/directory/sources/:name', operationId: 'removeDirectorySource',
    summary: 'Remove a source: its people and groups stay, as local ones', tag,
    permission: 'users:write',
    params: nameParams,
    errors: [404],
    handler: async ({ ctx, params, by }) => {
      await removeSource(ctx.store, params.name, by);
    },
  }),
  defineOperation({
    method: 'POST', path: '/directory/sources/:name/sync', operationId: 'syncDirectorySource',
    summary: 'Sync a source now (dryRun=true: report what would change, change nothing); 409 while another sync of it runs', tag,
    permission: 'users:write',
    params: nameParams,
    query: z.object({ dryRun: z.enum(['true', 'false']).optional() }),
    response: reportOut, errors: [404, 409],
    handler: async ({ ctx, params, query, by }) => syncSource(ctx.store, ctx.secrets, params.name, { by, dryRun: query.dryRun === 'true' }),
  }),
];
