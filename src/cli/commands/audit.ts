import { readFileSync } from 'node:fs';
import { verifyAuditChain, type VerifyResult } from '../../audit/verify.ts';
import { checkpointKey } from '../../audit/checkpoints.ts';
import { verifyCheckpoints, type CheckpointReport } from '../../audit/checkpoint-verify.ts';
import type { AppContext } from '../../app/context.ts';
import { recentAuditEntries } from '../../directory/audit-trail.ts';
import { CliError, parse, printJson, withContext, type Io } from '../support.ts';

export const summary = 'the audit log: verify the hash chain (and its checkpoints), tail recent entries';

export const USAGE = `tessera audit verify [--checkpoints <file>] [--json]
       tessera audit checkpoint-key
       tessera audit tail [-n 20] [--json]`;

function readCheckpointFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new CliError(`cannot read the checkpoint file ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

async function verifyAll(ctx: AppContext, checkpointText: string | undefined): Promise<{ chain: VerifyResult; checkpoints?: CheckpointReport }> {
  const chain = await verifyAuditChain(ctx.store);
  if (checkpointText === undefined) return { chain };
  return { chain, checkpoints: await verifyCheckpoints(ctx.store.db, checkpointKey(ctx.config).publicKey, checkpointText) };
}

function printVerify(io: Io, chain: VerifyResult, checkpoints: CheckpointReport | undefined): void {
  if (chain.ok) io.out(`OK: ${chain.entries} entries, head ${chain.head}`);
  else {
    const b = chain.broken;
    io.out(`BROKEN: entry seq ${b.seq} (id ${b.id}): ${b.reason}; ${chain.entries} entries before it verify`);
  }
  if (!checkpoints) return;
  if (checkpoints.ok) io.out(`OK: ${checkpoints.checked} checkpoints match the chain`);
  for (const p of checkpoints.problems) io.out(`CHECKPOINT MISMATCH: line ${p.line}${p.seq ? ` (seq ${p.seq})` : ''}: ${p.reason}`);
}

export async function run(argv: string[], io: Io): Promise<number> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'verify': {
      const { values, positionals } = parse(rest, { json: { type: 'boolean' }, checkpoints: { type: 'string' } }, USAGE);
      if (positionals.length) throw new CliError(`unexpected argument ${positionals[0]}\nusage: ${USAGE}`, 2);
      const text = values.checkpoints === undefined ? undefined : readCheckpointFile(values.checkpoints);
      const { chain, checkpoints } = await withContext((ctx) => verifyAll(ctx, text));
      // --json without --checkpoints keeps its earlier shape: the chain's result.
      if (values.json) printJson(io, checkpoints ? { chain, checkpoints } : chain);
      else printVerify(io, chain, checkpoints);
      return chain.ok && (checkpoints?.ok ?? true) ? 0 : 1;
    }
    case 'checkpoint-key': {
      const { positionals } = parse(rest, {}, USAGE);
      if (positionals.length) throw new CliError(`unexpected argument ${positionals[0]}\nusage: ${USAGE}`, 2);
      const key = await withContext(async (ctx) => checkpointKey(ctx.config));
      io.out(`key id ${key.id}`);
      io.out(String(key.publicKey.export({ format: 'pem', type: 'spki' })).trim());
      return 0;
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
