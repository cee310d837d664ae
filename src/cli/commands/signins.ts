import { findUserByUsername } from '../../directory/users.ts';
import { listSignins } from '../../monitor/signin-log.ts';
import { CliError, parse, printJson, printTable, withContext, type Io } from '../support.ts';

export const summary = 'show the sign-in log: signins [--user name] [--since ISO|24h] [--limit n] [--json]';
export const USAGE = 'tessera signins [--user <username>] [--since <ISO time | Nh | Nd>] [--result success|failure|locked] [--limit n] [--json]';

/** "24h", "7d" or an ISO time → ISO time. */
export function parseSince(value: string, now = new Date()): string {
  const rel = /^(\d+)([hd])$/.exec(value);
  if (rel) return new Date(now.getTime() - Number(rel[1]) * (rel[2] === 'h' ? 3600_000 : 86_400_000)).toISOString();
  const t = new Date(value);
  if (Number.isNaN(t.getTime())) throw new CliError(`--since: '${value}' is not a time (use an ISO time, 24h or 7d)`, 2);
  return t.toISOString();
}

export async function run(argv: string[], io: Io): Promise<number> {
  const { values } = parse(
    argv,
    {
      user: { type: 'string' },
      since: { type: 'string' },
      result: { type: 'string' },
      limit: { type: 'string', default: '50' },
      json: { type: 'boolean', default: false },
    },
    USAGE,
  );
  const limit = Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new CliError('--limit must be a whole number from 1 to 1000', 2);
  if (values.result && !['success', 'failure', 'locked', 'interrupted'].includes(values.result)) {
    throw new CliError('--result must be success, failure, locked or interrupted', 2);
  }
  return withContext(async (ctx) => {
    let userId: string | undefined;
    if (values.user) {
      const user = await findUserByUsername(ctx.store.db, values.user);
      if (!user) throw new CliError(`no user named ${values.user}`);
      userId = user.id;
    }
    const rows = await listSignins(ctx.store.db, {
      userId,
      since: values.since ? parseSince(values.since) : undefined,
      result: values.result as 'success' | undefined,
      limit,
    });
    if (values.json) printJson(io, rows);
    else
      printTable(
        io,
        rows.map((r) => ({ ...r, methods: r.methodsUsed.join('+') || r.methodsTried.join(',') })),
        ['at', 'username', 'clientId', 'ip', 'result', 'reason', 'methods'],
      );
    return 0;
  });
}
