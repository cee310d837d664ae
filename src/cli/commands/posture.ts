import type { PostureRow } from '../../monitor/posture/model.ts';
import { APP_KINDS, setAppCategory, type AppKind } from '../../monitor/posture/app-category.ts';
import { APP_CATEGORIES, isAppCategory } from '../../monitor/posture/categories.ts';
import { postureNow } from '../../recovery/posture.ts';
import { CliError, cliActor, parse, printJson, withContext, type Io } from '../support.ts';

export const summary = 'the MFA posture checklist, computed from this system (pass/fail, figures, fixes); app categories';

export const USAGE = `tessera posture [--json]                  (exit 1 when a row fails)
       tessera posture category <${APP_KINDS.join('|')}> <app> <${APP_CATEGORIES.join('|')}>`;

function figureText(value: PostureRow['figures'][string]): string {
  if (Array.isArray(value)) return value.length ? value.join(', ') : 'none';
  return String(value);
}

/** A readable table: status and title, the figures under it, and the fix for a failure. */
function printRows(io: Io, rows: PostureRow[]): void {
  const width = Math.max(...rows.map((r) => r.id.length));
  for (const r of rows) {
    io.out(`${r.status === 'pass' ? 'PASS' : 'FAIL'}  ${r.id.padEnd(width)}  ${r.title}`);
    io.out(`      ${''.padEnd(width)}  ${Object.entries(r.figures).map(([k, v]) => `${k}: ${figureText(v)}`).join('; ')}`);
    if (r.fix) io.out(`      ${''.padEnd(width)}  Fix: ${r.fix}`);
  }
  const failed = rows.filter((r) => r.status === 'fail').length;
  io.out('');
  io.out(failed ? `${failed} of ${rows.length} checks fail.` : `All ${rows.length} checks pass.`);
}

export async function run(argv: string[], io: Io): Promise<number> {
  if (argv[0] === 'category') {
    const { positionals } = parse(argv.slice(1), {}, USAGE);
    const [kind, name, category] = positionals;
    if (positionals.length !== 3 || !kind || !name || !category) throw new CliError(`expected the kind, the app and the category\nusage: ${USAGE}`, 2);
    if (!(APP_KINDS as readonly string[]).includes(kind)) throw new CliError(`the kind must be one of ${APP_KINDS.join(', ')}`, 2);
    if (!isAppCategory(category)) throw new CliError(`the category must be one of ${APP_CATEGORIES.join(', ')}`, 2);
    const done = await withContext((ctx) => setAppCategory(ctx.store, kind as AppKind, name, category, { actor: cliActor() }));
    io.out(`${done.kind} app ${done.name} is now in the category ${done.category}`);
    return 0;
  }
  const { values, positionals } = parse(argv, { json: { type: 'boolean' } }, USAGE);
  if (positionals.length) throw new CliError(`unexpected argument ${positionals[0]}\nusage: ${USAGE}`, 2);
  const rows = await withContext((ctx) => postureNow(ctx.store.db));
  if (values.json) printJson(io, rows);
  else printRows(io, rows);
  return rows.every((r) => r.status === 'pass') ? 0 : 1;
}
