import { MethodError } from '../methods/errors.ts';
import { isMethodType, type MethodType } from '../methods/method.ts';
import { getMethodsPolicy, POLICY_METHODS, setMethodPolicy, type MethodPolicy } from '../methods/policy/index.ts';
import { getPushSettings, pushSettingsSchema, type PushSettings } from '../methods/push/settings.ts';
import { updateMethodSettings } from '../methods/settings.ts';
import { CliError, cliActor, parse, printJson, withContext, type Io } from './support.ts';

/**
 * `tessera methods show policy|push` and `tessera methods set <method> …` for
 * the methods policy (enabled, groups, admins) and the push limits. The
 * WebAuthn settings keep their own subcommand in commands/methods.ts.
 */
export const POLICY_USAGE = `tessera methods show policy|push [--json]
       tessera methods set <${POLICY_METHODS.join('|')}> [--enabled on|off] [--include-groups g1,g2] [--exclude-groups g1,g2] [--admins on|off]
       tessera methods set push [--requests-per-window n] [--window-minutes n] [--failures-before-suspend n] [--failure-window-minutes n]
                                [--suspend-minutes n] [--request-ttl-seconds n] [--enrolment-ttl-minutes n]`;

const POLICY_FLAGS = ['--enabled', '--include-groups', '--exclude-groups', '--admins'];
const PUSH_FLAGS: Record<string, keyof PushSettings> = {
  'requests-per-window': 'requestsPerWindow',
  'window-minutes': 'windowMinutes',
  'failures-before-suspend': 'failuresBeforeSuspend',
  'failure-window-minutes': 'failureWindowMinutes',
  'suspend-minutes': 'suspendMinutes',
  'request-ttl-seconds': 'requestTtlSeconds',
  'enrolment-ttl-minutes': 'enrolmentTtlMinutes',
};

/** Whether this `tessera methods …` call is about the policy or push (else the WebAuthn settings handle it). */
export function isPolicyCommand(argv: string[]): boolean {
  const [sub, method] = argv;
  if (sub === 'show') return method === 'policy' || method === 'push';
  if (sub === 'set') return (method !== undefined && method !== 'webauthn') || argv.some((a) => POLICY_FLAGS.some((f) => a === f || a.startsWith(`${f}=`)));
  return false;
}

function onOff(value: string | undefined, flag: string): boolean | undefined {
  if (value === undefined) return undefined;
  if (value === 'on' || value === 'true') return true;
  if (value === 'off' || value === 'false') return false;
  throw new CliError(`${flag} must be on or off`, 2);
}

const list = (v: string | undefined) => (v === undefined ? undefined : v.split(',').map((s) => s.trim()).filter(Boolean));

function printPolicy(io: Io, policy: Record<string, MethodPolicy>): void {
  for (const [m, p] of Object.entries(policy)) {
    const groups = [p.includeGroups.length ? `only ${p.includeGroups.join(', ')}` : 'everyone', p.excludeGroups.length ? `except ${p.excludeGroups.join(', ')}` : ''].filter(Boolean).join(' ');
    io.out(`${m.padEnd(12)} ${p.enabled ? 'enabled ' : 'disabled'}  ${groups}${p.allowAdmins ? '' : '; not for admins'}`);
  }
}

function printPush(io: Io, s: PushSettings): void {
  io.out(`push: at most ${s.requestsPerWindow} requests in ${s.windowMinutes} min; ${s.failuresBeforeSuspend} denied/unanswered in ${s.failureWindowMinutes} min suspend push for ${s.suspendMinutes} min; requests live ${s.requestTtlSeconds} s; enrolment links ${s.enrolmentTtlMinutes} min`);
}

async function asCli<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof MethodError) throw new CliError(err.message, 2);
    throw err;
  }
}

export async function runPolicyCommand(argv: string[], io: Io): Promise<number> {
  const [sub, method, ...rest] = argv;
  const options = {
    json: { type: 'boolean' }, enabled: { type: 'string' }, 'include-groups': { type: 'string' }, 'exclude-groups': { type: 'string' }, admins: { type: 'string' },
    ...Object.fromEntries(Object.keys(PUSH_FLAGS).map((k) => [k, { type: 'string' }])),
  } as const;
  const { values } = parse(rest, options, POLICY_USAGE);
  const v = values as Record<string, string | boolean | undefined>;
  if (sub === 'show') {
    const shown = await withContext(async (ctx) => (method === 'push' ? getPushSettings(ctx.store.db) : getMethodsPolicy(ctx.store.db)));
    if (v.json) printJson(io, shown);
    else if (method === 'push') printPush(io, shown as PushSettings);
    else printPolicy(io, shown as Record<string, MethodPolicy>);
    return 0;
  }
  if (!method || !isMethodType(method) || !(POLICY_METHODS as readonly string[]).includes(method)) {
    throw new CliError(`unknown method '${method ?? ''}': one of ${POLICY_METHODS.join(', ')}\nusage: ${POLICY_USAGE}`, 2);
  }
  const policyPatch: Partial<MethodPolicy> = {};
  const enabled = onOff(v.enabled as string | undefined, '--enabled');
  if (enabled !== undefined) policyPatch.enabled = enabled;
  const admins = onOff(v.admins as string | undefined, '--admins');
  if (admins !== undefined) policyPatch.allowAdmins = admins;
  const inc = list(v['include-groups'] as string | undefined);
  if (inc) policyPatch.includeGroups = inc;
  const exc = list(v['exclude-groups'] as string | undefined);
  if (exc) policyPatch.excludeGroups = exc;
  const pushPatch: Partial<PushSettings> = {};
  for (const [flag, key] of Object.entries(PUSH_FLAGS)) {
    const raw = v[flag];
    if (raw === undefined) continue;
    if (method !== 'push') throw new CliError(`--${flag} applies to push only`, 2);
    if (typeof raw !== 'string' || !/^\d+$/.test(raw)) throw new CliError(`--${flag} must be a number`, 2);
    pushPatch[key] = Number(raw);
  }
  if (!Object.keys(policyPatch).length && !Object.keys(pushPatch).length) throw new CliError(`nothing to change\nusage: ${POLICY_USAGE}`, 2);
  const actor = cliActor();
  const result = await withContext((ctx) =>
    asCli(async () => {
      const policy = Object.keys(policyPatch).length ? await setMethodPolicy(ctx.store, method as MethodType, policyPatch, { actor }) : undefined;
      const push = Object.keys(pushPatch).length ? await updateMethodSettings(ctx.store, 'push', pushSettingsSchema, pushPatch, { actor }) : undefined;
      return { policy, push };
    }),
  );
  if (v.json) printJson(io, { method, ...result });
  else {
    if (result.policy) printPolicy(io, { [method]: result.policy });
    if (result.push) printPush(io, result.push);
  }
  return 0;
}
