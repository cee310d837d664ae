import type { Db, Tx } from '../../store/store.ts';
import type { TapStatus, TemporaryAccessPassesTable } from '../tables.ts';

/**
 * A Temporary Access Pass as services and the API show it: never the pass,
 * which is shown once when issued and stored only as a keyed digest.
 */
export type TapState =
  | 'pending_approval'
  | 'not_yet_valid'
  | 'active'
  | 'expired'
  | 'used'
  | 'revoked'
  | 'replaced';

export interface TapView {
  id: string;
  userId: string;
  /** What the pass does right now, from its status and the clock. */
  state: TapState;
  status: TapStatus;
  oneTime: boolean;
  length: number;
  startsAt: string;
  expiresAt: string;
  createdAt: string;
  createdBy: string;
  issuedBy: string;
  /** The person who issued it (issuedBy is their id; createdBy the channel: the API token or the CLI's account). */
  issuedByUsername: string | null;
  needsApproval: boolean;
  approverId: string | null;
  approvedBy: string | null;
  approvedAt: string | null;
  approvedByUsername: string | null;
  useCount: number;
  firstUsedAt: string | null;
  lastUsedAt: string | null;
  endedAt: string | null;
  endReason: string | null;
  caseId: string | null;
}

export function stateOf(r: Pick<TemporaryAccessPassesTable, 'status' | 'starts_at' | 'expires_at'>, now = new Date()): TapState {
  const iso = now.toISOString();
  if (r.status === 'pending_approval') return r.expires_at <= iso ? 'expired' : 'pending_approval';
  if (r.status !== 'active') return r.status;
  if (r.expires_at <= iso) return 'expired';
  if (r.starts_at > iso) return 'not_yet_valid';
  return 'active';
}

export function toTapView(r: TemporaryAccessPassesTable, now = new Date()): TapView {
  return {
    id: r.id,
    userId: r.user_id,
    state: stateOf(r, now),
    status: r.status,
    oneTime: Number(r.one_time) === 1,
    length: Number(r.length),
    startsAt: r.starts_at,
    expiresAt: r.expires_at,
    createdAt: r.created_at,
    createdBy: r.created_by,
    issuedBy: r.issued_by,
    issuedByUsername: null,
    needsApproval: Number(r.needs_approval) === 1,
    approverId: r.approver_id,
    approvedBy: r.approved_by,
    approvedAt: r.approved_at,
    approvedByUsername: null,
    useCount: Number(r.use_count),
    firstUsedAt: r.first_used_at,
    lastUsedAt: r.last_used_at,
    endedAt: r.ended_at,
    endReason: r.end_reason,
    caseId: r.case_id,
  };
}

/** The views with the names of the people who issued and approved them, so a listing shows who acted. */
export async function withNames(db: Db | Tx, views: TapView[]): Promise<TapView[]> {
  const ids = [...new Set(views.flatMap((v) => [v.issuedBy, v.approvedBy]).filter((x): x is string => !!x))];
  if (!ids.length) return views;
  const rows = await db.selectFrom('users').select(['id', 'username']).where('id', 'in', ids).execute();
  const name = new Map(rows.map((r) => [r.id, r.username]));
  return views.map((v) => ({ ...v, issuedByUsername: name.get(v.issuedBy) ?? null, approvedByUsername: v.approvedBy ? (name.get(v.approvedBy) ?? null) : null }));
}

/** The statuses a pass can still be used from (after approval, within its window). */
export const LIVE_STATUSES: readonly TapStatus[] = ['pending_approval', 'active'];

export async function liveTapRow(db: Db | Tx, userId: string): Promise<TemporaryAccessPassesTable | undefined> {
  return db
    .selectFrom('temporary_access_passes')
    .selectAll()
    .where('user_id', '=', userId)
    .where('status', 'in', LIVE_STATUSES)
    .executeTakeFirst();
}

/** Ends every live pass of the user (replaced by a new one, or revoked); returns the ended rows. */
export async function endLiveTaps(
  trx: Tx,
  userId: string,
  status: 'revoked' | 'replaced',
  by: string,
  reason: string,
  now: Date,
): Promise<TemporaryAccessPassesTable[]> {
  const live = await trx.selectFrom('temporary_access_passes').selectAll().where('user_id', '=', userId).where('status', 'in', LIVE_STATUSES).execute();
  if (live.length) {
    await trx
      .updateTable('temporary_access_passes')
      .set({ status, ended_at: now.toISOString(), ended_by: by, end_reason: reason })
      .where('id', 'in', live.map((r) => r.id))
      .execute();
  }
  return live;
}
