import { exportEvidence, evidencePeriod, writeEvidenceFiles } from '../../monitor/evidence/index.ts';
import { loadSigningKeySet } from '../../protocols/oidc/signing-keys.ts';
import { postureNow } from '../../recovery/posture.ts';
import { cliOperator, resolveOperator } from '../../recovery/operator.ts';
import { InvalidInputError } from '../../directory/errors.ts';
import { CliError, cliActor, parse, withContext, type Io } from '../support.ts';

export const summary = 'the evidence pack for an auditor or insurer: HTML, PDF, signed JSON and CSV for a period';

export const USAGE = `tessera evidence --from <YYYY-MM-DD> --to <YYYY-MM-DD> --out <dir> [--no-pdf] [--as <username>]
Writes evidence.html, evidence.pdf (printed by Chromium), evidence.json, evidence.jws (a compact JWS over
evidence.json, verifiable with the issuer's JWKS) and a CSV file per table into <dir>.
--as names the person exporting, who needs the audit:read permission (default: the account named like the operating-system user).`;

function period(from: string | undefined, to: string | undefined) {
  if (!from || !to) throw new CliError(`give --from and --to\nusage: ${USAGE}`, 2);
  try {
    return evidencePeriod(from, to);
  } catch (err) {
    if (err instanceof InvalidInputError) throw new CliError(`--${err.message}`, 2);
    throw err;
  }
}

export async function run(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, {
    from: { type: 'string' }, to: { type: 'string' }, out: { type: 'string' }, 'no-pdf': { type: 'boolean' }, as: { type: 'string' },
  }, USAGE);
  if (positionals.length) throw new CliError(`unexpected argument ${positionals[0]}\nusage: ${USAGE}`, 2);
  const p = period(values.from, values.to);
  if (!values.out) throw new CliError(`give --out <dir>\nusage: ${USAGE}`, 2);
  const actor = cliActor();
  const written = await withContext(async (ctx) => {
    const db = ctx.store.db;
    const person = await resolveOperator(db, await cliOperator(db, values.as, actor.slice('cli:'.length)), 'audit:read');
    const signed = await exportEvidence(ctx, p, { posture: await postureNow(db), signingKeys: (await loadSigningKeySet(db, ctx.secrets)).keys }, { actor, person: person.username });
    return writeEvidenceFiles(values.out!, signed, { pdf: !values['no-pdf'] });
  });
  for (const path of written.paths) io.out(path);
  if (written.pdf && !written.pdf.printed) {
    io.err(`tessera: everything else is written, but ${written.pdf.reason}; or pass --no-pdf`);
    return 1;
  }
  return 0;
}
