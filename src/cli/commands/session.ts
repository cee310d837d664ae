import { resolveUser } from '../../directory/users.ts';
import { revokeEverywhere } from '../../signin/session/revoke-everywhere.ts';
import { CliError, cliActor, parse, printJson, withContext, type Io } from '../support.ts';

export const summary = 'end sessions: session revoke-all <username> (also revokes apps\' refresh tokens)';
export const USAGE = 'tessera session revoke-all <username> [--reason text] [--json]';

export async function run(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, { json: { type: 'boolean', default: false }, reason: { type: 'string' } }, USAGE);
  const [sub, username] = positionals;
  if (sub !== 'revoke-all' || !username || positionals.length > 2) throw new CliError(`usage: ${USAGE}`, 2);
  return withContext(async (ctx) => {
    const user = await resolveUser(ctx.store.db, username).catch(() => {
      throw new CliError(`no user named ${username}`);
    });
    const result = await revokeEverywhere(ctx.store, user.id, { actor: cliActor(), reason: values.reason });
    if (values.json) printJson(io, { user: user.username, ...result });
    else io.out(`signed ${user.username} out everywhere: ${result.sessions} session(s), ${result.grants} app grant(s), ${result.appCredentials} app token(s) revoked`);
    return 0;
  });
}
