import { verifyAuditChain } from '../../audit/verify.ts';
import { recentAuditEntries } from '../../directory/audit-trail.ts';
import { CliError, parse, printJson, withContext, type Io } from '../support.ts';

export const summary = 'the audit log: verify the hash chain, tail recent entries';

export const USAGE = `tessera audit verify [--json]
       tessera audit tail [-n 20] [--json]`;

export async function run(argv: string[], io: Io): Promise<number> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'verify': {
      const { values, positionals } = parse(rest, { json: { type: 'boolean' } }, USAGE);
      if (positionals.length) throw new CliError(`unexpected argument ${positionals[0]}\nusage: ${USAGE}`, 2);
      const result = await withContext((ctx) => verifyAuditChain(ctx.store));
      if (values.json) printJson(io, result);
      else if (result.ok) io.out(`OK: ${result.entries} entries, head ${result.head}`);
      else {
        const b = result.broken;
        io.out(`BROKEN: entry seq ${b.seq} (id ${b.id}): ${b.reason}; ${result.entries} entries before it verify`);
      }
      return result.ok ? 0 : 1;
    }
    case 'tail': {
      const { values, positionals } = parse(rest, { n: { type: 'string', short: 'n' }, json: { type: 'boolean' } }, USAGE);
      if (positionals.length) throw new CliError(`unexpected argument ${positionals[0]}\nusage: ${USAGE}`, 2);
      const n = values.n === undefined ? 20 : Number(values.n);
      if (!Number.isInteger(n) || n < 1 || n > 1000) throw new CliError('-n must be a whole number from 1 to 1000', 2);
      // Oldest first on screen, like tail(1).
      const entries = (await withContext((ctx) => recentAuditEntries(ctx.store.db, { limit: n }))).reverse();
      if (values.json) {
        printJson(io, entries);
        return 0;
      }
      if (entries.length === 0) io.out('(no entries)');
      for (const e of entries) io.out(`${String(e.seq).padStart(6)}  ${e.at}  ${e.actor}  ${e.action}${e.target ? `  ${e.target}` : ''}`);
      return 0;
    }
    default:
      throw new CliError(`${sub ? `unknown subcommand '${sub}'` : 'missing subcommand'}\nusage: ${USAGE}`, 2);
  }
}
