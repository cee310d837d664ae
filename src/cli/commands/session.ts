import { findUserByUsername } from '../../directory/users.ts';
import { auditedChange } from '../../audit/append.ts';
import { revokeAllSessions } from '../../signin/session/sessions.ts';
import { revokeAllForAccountIn } from '../../protocols/oidc/adapter.ts';
import { CliError, cliActor, parse, printJson, withContext, type Io } from '../support.ts';

export const summary = 'end sessions: session revoke-all <username> (also revokes refresh tokens)';
const USAGE = 'tessera session revoke-all <username> [--json]';

export async function run(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, { json: { type: 'boolean', default: false } }, USAGE);
  const [sub, username] = positionals;
  if (sub !== 'revoke-all' || !username || positionals.length > 2) throw new CliError(`usage: ${USAGE}`, 2);
  return withContext(async (ctx) => {
    const user = await findUserByUsername(ctx.store.db, username);
    if (!user) throw new CliError(`no user named ${username}`);
    const result = await auditedChange(ctx.store, async (trx, record) => {
      const sessions = await revokeAllSessions(trx, user.id);
      // oidc-provider's own records (its sessions, grants, refresh and access tokens) live beside ours.
      const apps = await revokeAllForAccountIn(trx, user.id);
      const after = { sessions_revoked: sessions, app_sessions_revoked: apps.sessions, grants_revoked: apps.grants, tokens_revoked: apps.tokens };
      await record({ actor: cliActor(), action: 'session.revoke_all', target: `user:${user.id}`, after });
      return after;
    });
    const summaryObj = { user: user.username, ...result };
    if (values.json) printJson(io, summaryObj);
    else io.out(`revoked ${result.sessions_revoked} session(s) and every app token of ${user.username}`);
    return 0;
  });
}
