import type { Db, Tx } from '../store/store.ts';
import { RefusedError } from './errors.ts';

/**
 * The person who answers for an audit actor: "user:<id>" is that person, an
 * API token is its owner. Four-eyes checks compare these, not the actor
 * strings, so one person holding two tokens (or a token and a console
 * session) is still one person. The command line ("cli:…") names its people
 * explicitly in each step, so it has none here.
 */
export async function personBehind(db: Db | Tx, actor: string): Promise<string | null> {
  if (actor.startsWith('user:')) return actor.slice('user:'.length);
  if (!actor.startsWith('token:')) return null;
  const row = await db.selectFrom('api_tokens').select('owner_user_id').where('id', '=', actor.slice('token:'.length)).executeTakeFirst();
  return row?.owner_user_id ?? null;
}

/**
 * Refuses an approval by the person (or by a token of the person) who asked
 * for it, and an approval by a token nobody answers for.
 */
export async function refuseSameApprover(db: Db | Tx, requestedBy: string, approvedBy: string, what: string): Promise<void> {
  if (requestedBy === approvedBy) throw new RefusedError(`${what} needs an approver other than the person who requested it`);
  const approver = await personBehind(db, approvedBy);
  if (approvedBy.startsWith('token:') && !approver) {
    throw new RefusedError(`${what} is approved by a person: this API token has no owner (sign in to the console, or use a token the approver owns)`);
  }
  if (approver && approver === (await personBehind(db, requestedBy))) {
    throw new RefusedError(`${what} needs an approver other than the person who requested it (the same person, through another token or session)`);
  }
}
