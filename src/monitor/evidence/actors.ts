import type { Db } from '../../store/store.ts';

/** Turns an audit actor ("user:<id>", "token:<id>", "cli:<os user>", "system") or a user id into a name a reader knows. */
export type NameActor = (actor: string | null) => Promise<string | null>;

/** One per pack: each person and token is looked up once. */
export function actorNamer(db: Db): NameActor {
  const users = new Map<string, Promise<string>>();
  const username = (id: string) => {
    if (!users.has(id)) users.set(id, db.selectFrom('users').select('username').where('id', '=', id).executeTakeFirst().then((r) => r?.username ?? `deleted account ${id}`));
    return users.get(id)!;
  };
  return async (actor) => {
    if (actor === null) return null;
    if (actor.startsWith('user:')) return username(actor.slice('user:'.length));
    if (actor.startsWith('cli:')) return `command line (${actor.slice('cli:'.length)})`;
    if (actor.startsWith('token:')) {
      const t = await db.selectFrom('api_tokens').select(['name', 'owner_user_id']).where('id', '=', actor.slice('token:'.length)).executeTakeFirst();
      if (!t) return 'a deleted API token';
      return t.owner_user_id ? `${await username(t.owner_user_id)} (API token ${t.name})` : `API token ${t.name}`;
    }
    // A bare id (the TAP and case tables name people by user id).
    return /^[0-9a-f-]{36}$/i.test(actor) ? username(actor) : actor;
  };
}
