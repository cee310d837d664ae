import type { Db, Tx } from '../../store/store.ts';
import { issueToken, parseToken, secretMatches } from '../../app/opaque-token.ts';
import type { Notice } from './notices.ts';
import type { ReportLinksTable } from './tables.ts';

/**
 * "This wasn't me" links: <prefix>_<id>_<secret>, the secret stored only as
 * its SHA-256 and compared in constant time. Issued once per notice (the
 * notice key is unique), accepted once and only until it expires.
 */
const PREFIX = 'nm';

export interface IssuedLink {
  id: string;
  token: string;
}

/** Issues the link of a notice; null when that notice already has one (it was sent before). */
export async function issueReportLink(db: Db | Tx, n: Notice, validHours: number, now = new Date()): Promise<IssuedLink | null> {
  const t = issueToken(PREFIX);
  const { key, kind, userId, ...facts } = n;
  const inserted = await db.insertInto('report_links').values({
    id: t.id, user_id: userId, secret_hash: t.secretHash, notice_key: key, notice_kind: kind, notice: JSON.stringify(facts),
    created_at: now.toISOString(), expires_at: new Date(now.getTime() + validHours * 3600_000).toISOString(), used_at: null,
  }).onConflict((oc) => oc.column('notice_key').doNothing()).executeTakeFirst();
  return Number(inserted.numInsertedOrUpdatedRows ?? 0n) > 0 ? { id: t.id, token: t.token } : null;
}

export type LinkState = { kind: 'ok'; link: ReportLinksTable } | { kind: 'unknown' | 'used' | 'expired' };

/** What a presented link is, without using it up (a page view, a mail scanner's prefetch). */
export async function lookUpReportLink(db: Db | Tx, token: string, now = new Date()): Promise<LinkState> {
  const parsed = parseToken(PREFIX, token);
  if (!parsed) return { kind: 'unknown' };
  const link = await db.selectFrom('report_links').selectAll().where('id', '=', parsed.id).executeTakeFirst();
  if (!link || !secretMatches(parsed.secret, link.secret_hash)) return { kind: 'unknown' };
  if (link.used_at) return { kind: 'used' };
  if (link.expires_at <= now.toISOString()) return { kind: 'expired' };
  return { kind: 'ok', link };
}

/** Uses the link up; false when another request (on any node) used it first or it has just expired. */
export async function useReportLink(trx: Tx, id: string, now = new Date()): Promise<boolean> {
  const r = await trx.updateTable('report_links').set({ used_at: now.toISOString() })
    .where('id', '=', id).where('used_at', 'is', null).where('expires_at', '>', now.toISOString())
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}
