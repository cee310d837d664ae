import { loadDetectionSettings, updateDetectionSettings, type DetectionSettingsPatch } from '../../monitor/detections/settings.ts';
import { scanOnce } from '../../monitor/detections/scanner.ts';
import { CliError, cliActor, parse, printJson, withContext, type Io } from '../support.ts';

export const summary = 'detections: thresholds (settings, set), the scanner\'s status, one scan now';

export const USAGE = `tessera detections settings
       tessera detections set <key>=<value> … (e.g. bruteForce.failures=20 riskHours=12 notifyPeople=false)
       tessera detections status [--json]
       tessera detections scan [--json]`;

/** key=value with a dotted key for a field of a group; the value is JSON (a number, true/false, an object). */
function patchFrom(pairs: string[], current: Record<string, unknown>): DetectionSettingsPatch {
  const patch: Record<string, unknown> = {};
  for (const pair of pairs) {
    const m = /^([A-Za-z]+)(?:\.([A-Za-z]+))?=(.+)$/.exec(pair);
    if (!m) throw new CliError(`expected <key>=<value>, got ${JSON.stringify(pair)}\nusage: ${USAGE}`, 2);
    const [, key, field, text] = m as unknown as [string, string, string | undefined, string];
    if (!(key in current)) throw new CliError(`unknown setting ${key} (tessera detections settings lists them)`, 2);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new CliError(`${pair}: the value must be JSON (a number, true or false, an object)`, 2);
    }
    if (field) {
      const group = current[key];
      if (typeof group !== 'object' || group === null || !(field in group)) throw new CliError(`unknown setting ${key}.${field}`, 2);
      patch[key] = { ...(group as object), ...(patch[key] as object | undefined), [field]: value };
    } else patch[key] = value;
  }
  return patch as DetectionSettingsPatch;
}

export async function run(argv: string[], io: Io): Promise<number> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'settings':
      printJson(io, await withContext((ctx) => loadDetectionSettings(ctx.store.db)));
      return 0;
    case 'set': {
      const { positionals } = parse(rest, {}, USAGE);
      if (positionals.length === 0) throw new CliError(`expected <key>=<value>\nusage: ${USAGE}`, 2);
      const after = await withContext(async (ctx) => {
        const patch = patchFrom(positionals, await loadDetectionSettings(ctx.store.db) as unknown as Record<string, unknown>);
        return updateDetectionSettings(ctx.store, patch, { actor: cliActor() });
      });
      printJson(io, after);
      return 0;
    }
    case 'status': {
      const { values } = parse(rest, { json: { type: 'boolean' } }, USAGE);
      const state = await withContext((ctx) => ctx.store.db.selectFrom('detection_state').selectAll().executeTakeFirstOrThrow());
      const status = {
        lastBatchAt: state.scanned_at, signinLogUpTo: state.signin_at || null, auditLogUpTo: Number(state.audit_seq),
        leaseHolder: state.lease_holder, leaseUntil: state.lease_expires_at, noticesWithoutAddress: Number(state.unmailed),
      };
      if (values.json) printJson(io, status);
      else for (const [k, v] of Object.entries(status)) io.out(`${k.padEnd(22)} ${v ?? '-'}`);
      return 0;
    }
    case 'scan': {
      const { values } = parse(rest, { json: { type: 'boolean' } }, USAGE);
      const r = await withContext((ctx) => scanOnce(ctx, cliActor()));
      if (values.json) printJson(io, r);
      else if (r.skipped) io.out(r.skipped === 'lease' ? 'a node is scanning right now; nothing to do' : 'another scan got there first; nothing to do');
      else io.out(`scanned ${r.signins} sign-ins and ${r.auditEntries} audit entries: ${r.alerts.length} alerts, ${r.notices} notices sent, ${r.unmailed} without an e-mail address`);
      return 0;
    }
    default:
      throw new CliError(`unknown subcommand '${sub ?? ''}'\nusage: ${USAGE}`, 2);
  }
}
