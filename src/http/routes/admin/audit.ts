import { z } from 'zod';
import { recentAuditEntries } from '../../../directory/audit-trail.ts';
import { verifyAuditChain } from '../../../audit/verify.ts';
import { defineOperation, type Operation } from './operation.ts';
import { auditEntryOut, auditVerifyOut, listOf } from './schemas.ts';

const tag = 'audit';

export const auditOperations: Operation[] = [
  defineOperation({
    method: 'GET', path: '/audit', operationId: 'listAuditEntries', summary: 'Read the audit log, newest first', tag, permission: 'audit:read',
    query: z.object({
      limit: z.coerce.number().int().min(1).max(1000).default(50),
      beforeSeq: z.coerce.number().int().min(1).optional(),
      target: z.string().min(1).max(200).optional(),
    }),
    response: listOf(auditEntryOut),
    handler: async ({ ctx, query }) => ({ items: await recentAuditEntries(ctx.store.db, query) }),
  }),
  defineOperation({
    method: 'GET', path: '/audit/verify', operationId: 'verifyAudit', summary: 'Walk the hash chain and report the first broken entry, if any', tag, permission: 'audit:read',
    response: auditVerifyOut,
    handler: async ({ ctx }) => verifyAuditChain(ctx.store),
  }),
];
