import type { FastifyRequest } from 'fastify';
import type { AppContext } from '../../../app/context.ts';
import { listUserMethods } from '../../../methods/list.ts';
import { beginTotpEnrolment, finishTotpEnrolment, loadTotpEnrolment, removeTotp } from '../../../methods/totp/index.ts';
import { generateBackupCodes, revokeBackupCodes } from '../../../methods/backup-codes/index.ts';
import type { ActivityRow, MethodRow } from './views.ts';
import { describeAuditEvent } from '../../audit-words.ts';
import { loadAuditNames } from '../../audit-names.ts';
import { addProvenMethod, type IdpSession } from '../../../signin/session/sessions.ts';

/**
 * The self-service operations, shared by the page and the JSON API. Each
 * change is made as the user (actor "user:<id>") and audited by the method module.
 */
export function selfService(ctx: AppContext) {
  const as = (userId: string, request: FastifyRequest) => ({ actor: `user:${userId}`, requestId: request.id, ip: request.ip });
  return {
    async methods(userId: string): Promise<MethodRow[]> {
      const rows = await listUserMethods(ctx.store.db, userId);
      return rows.map((m) => ({
        id: m.id,
        type: m.type,
        label: m.label,
        createdAt: m.createdAt,
        lastUsedAt: m.lastUsedAt ?? null,
      }));
    },
    async activity(userId: string): Promise<ActivityRow[]> {
      const rows = await ctx.store.db
        .selectFrom('audit_log')
        .select(['at', 'actor', 'action', 'target'])
        .where('target', '=', `user:${userId}`)
        .orderBy('seq', 'desc')
        .limit(10)
        .execute();
      const names = await loadAuditNames(ctx.store.db, rows);
      return rows.map((r) => ({ at: r.at, title: describeAuditEvent(r, { viewerUserId: userId, names }).title }));
    },
    beginTotp: (userId: string) => beginTotpEnrolment(ctx, userId, { label: 'Authenticator app' }),
    loadTotp: (userId: string, enrolmentId: string) => loadTotpEnrolment(ctx, userId, enrolmentId),
    async finishTotp(session: IdpSession, enrolmentId: string, code: string, label: string, request: FastifyRequest) {
      const r = await finishTotpEnrolment(ctx, session.userId, enrolmentId, code.replace(/\s/g, ''), { ...as(session.userId, request), label: label.trim() || undefined });
      // A correct code from the new authenticator proved possession: the session now rests on it too.
      if (r.ok) await addProvenMethod(ctx.store.db, session, { method: 'totp' });
      return r;
    },
    regenerateBackupCodes: (userId: string, request: FastifyRequest) => generateBackupCodes(ctx, userId, as(userId, request)),
    async removeMethod(userId: string, type: 'totp' | 'backup_code', id: string, request: FastifyRequest): Promise<boolean> {
      if (type === 'totp') return removeTotp(ctx, userId, id, as(userId, request));
      return revokeBackupCodes(ctx, userId, as(userId, request));
    },
  };
}
