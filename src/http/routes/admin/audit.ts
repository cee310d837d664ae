import { z } from 'zod';
import { recentAuditEntries } from '../../../directory/audit-trail.ts';
import { verifyAuditChain } from '../../../audit/verify.ts';
import { defineOperation, type Operation } from './operation.ts';
import { auditEntryOut, auditVerifyOut, listOf } from './schemas.ts';
import { describeAuditEvent } from '../../audit-words.ts';
import { loadAuditNames } from '../../audit-names.ts';

const tag = 'audit';

/** Each entry also in words people read (the console shows these, never the codes). */
const listedEntryOut = auditEntryOut.extend({
  title: z.string().describe('The whole entry in plain words, e.g. "Security key added by Ana Ortiz (helpdesk)"'),
  what: z.string().describe('The action in plain words'),
  by: z.string().describe('Who did it, in plain words ("by you" for the caller)'),
  detail: z.string().optional().describe('Whom it was about, when not the caller'),
});

export const auditOperations: Operation[] = [
  defineOperation({
    method: 'GET', path: '/audit', operationId: 'listAuditEntries', summary: 'Read the audit log, newest first', tag, permission: 'audit:read',
    query: z.object({
      limit: z.coerce.number().int().min(1).max(1000).default(50),
      beforeSeq: z.coerce.number().int().min(1).optional(),
      target: z.string().min(1).max(200).optional(),
    }),
    response: listOf(listedEntryOut),
    handler: async ({ ctx, query, principal }) => {
      const entries = await recentAuditEntries(ctx.store.db, query);
      const names = await loadAuditNames(ctx.store.db, entries);
      const viewerUserId = principal.kind === 'person' ? principal.id : undefined;
      return { items: entries.map((e) => ({ ...e, ...describeAuditEvent(e, { names, viewerUserId }) })) };
    },
  }),
  defineOperation({
    method: 'GET', path: '/audit/verify', operationId: 'verifyAudit', summary: 'Walk the hash chain and report the first broken entry, if any', tag, permission: 'audit:read',
    response: auditVerifyOut,
    handler: async ({ ctx }) => verifyAuditChain(ctx.store),
  }),
];
