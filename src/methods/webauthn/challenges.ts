import { randomUUID } from 'node:crypto';
import type { Db, Tx } from '../../store/store.ts';
import type { WebauthnChallengesTable } from './tables.ts';

/** A ceremony must finish within this; the browser's own timeout is a little shorter. */
export const CHALLENGE_TTL_MS = 5 * 60 * 1000;

export interface StoredChallenge {
  challenge: string;
  userId: string | null;
  details: Record<string, unknown>;
}

/**
 * Keeps a new challenge for one owner and purpose, replacing any earlier one
 * (a reloaded page starts a fresh ceremony), and clears expired ones.
 */
export async function storeChallenge(
  db: Db | Tx,
  input: { owner: string; purpose: WebauthnChallengesTable['purpose']; challenge: string; userId?: string | null; details?: Record<string, unknown> },
  now = new Date(),
): Promise<void> {
  await db.deleteFrom('webauthn_challenges').where('expires_at', '<=', now.toISOString()).execute();
  await db.deleteFrom('webauthn_challenges').where('owner', '=', input.owner).where('purpose', '=', input.purpose).execute();
  await db
    .insertInto('webauthn_challenges')
    .values({
      id: randomUUID(),
      owner: input.owner,
      purpose: input.purpose,
      challenge: input.challenge,
      user_id: input.userId ?? null,
      details: JSON.stringify(input.details ?? {}),
      created_at: now.toISOString(),
      expires_at: new Date(now.getTime() + CHALLENGE_TTL_MS).toISOString(),
    })
    .execute();
}

/**
 * Takes the owner's live challenge if it is the one the browser signed: it is
 * deleted in the same step, so of two requests presenting one response only
 * one gets it (single use), and a replayed response finds nothing.
 */
export async function takeChallenge(
  db: Db,
  input: { owner: string; purpose: WebauthnChallengesTable['purpose']; challenge: string },
  now = new Date(),
): Promise<StoredChallenge | null> {
  if (!input.challenge || input.challenge.length > 512) return null;
  const row = await db
    .selectFrom('webauthn_challenges')
    .selectAll()
    .where('owner', '=', input.owner)
    .where('purpose', '=', input.purpose)
    .where('challenge', '=', input.challenge)
    .executeTakeFirst();
  if (!row) return null;
  const res = await db.deleteFrom('webauthn_challenges').where('id', '=', row.id).executeTakeFirst();
  if (Number(res.numDeletedRows) !== 1 || row.expires_at <= now.toISOString()) return null;
  return { challenge: row.challenge, userId: row.user_id, details: JSON.parse(row.details) as Record<string, unknown> };
}

/** The challenge a response claims to answer (from its clientDataJSON), or '' when unreadable. */
export function claimedChallenge(clientDataJSON: unknown): string {
  if (typeof clientDataJSON !== 'string' || clientDataJSON.length > 8192) return '';
  try {
    const parsed = JSON.parse(Buffer.from(clientDataJSON, 'base64url').toString('utf8')) as { challenge?: unknown };
    return typeof parsed.challenge === 'string' ? parsed.challenge : '';
  } catch {
    return '';
  }
}
