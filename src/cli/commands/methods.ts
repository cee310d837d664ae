import { MethodError } from '../../methods/errors.ts';
import { authenticatorName, getWebauthnSettings, setWebauthnSettings, type WebauthnSettingsPatch } from '../../methods/webauthn/index.ts';
import { readMethodSettings } from '../../methods/settings.ts';
import { webauthnSettingsSchema } from '../../methods/webauthn/settings.ts';
import { CliError, cliActor, parse, printJson, withContext, type Io } from '../support.ts';
import { isPolicyCommand, POLICY_USAGE, runPolicyCommand } from '../methods-policy.ts';

export const summary = 'show or change the methods settings (WebAuthn attestation policy, admins need phishing-resistant MFA)';

export const USAGE = `${POLICY_USAGE}
       tessera methods show [webauthn] [--json]
       tessera methods set webauthn [--attestation none|allowlist] [--aaguid <aaguid>]... [--applies-to everyone|admins]
                                    [--admins-phishing-resistant on|off] [--json]`;

const METHODS = ['webauthn'] as const;

function onOff(value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  if (value === 'on' || value === 'true') return true;
  if (value === 'off' || value === 'false') return false;
  throw new CliError(`--admins-phishing-resistant must be on or off\nusage: ${USAGE}`, 2);
}

function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], flag: string): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) throw new CliError(`${flag} must be one of ${allowed.join(', ')}\nusage: ${USAGE}`, 2);
  return value as T;
}

function printWebauthn(io: Io, s: Awaited<ReturnType<typeof getWebauthnSettings>>, meta: { updatedAt: string | null; updatedBy: string | null }): void {
  io.out('webauthn');
  io.out(`  attestation:                  ${s.attestation}${s.attestation === 'allowlist' ? ` (for ${s.appliesTo})` : ''}`);
  for (const a of s.aaguids) io.out(`    allowed: ${a}${authenticatorName(a) ? `  ${authenticatorName(a)}` : ''}`);
  io.out(`  admins need phishing-resistant MFA: ${s.adminsRequirePhishingResistant ? 'on' : 'off'}`);
  io.out(`  changed:                      ${meta.updatedAt ? `${meta.updatedAt} by ${meta.updatedBy}` : 'never (defaults)'}`);
}

export async function run(argv: string[], io: Io): Promise<number> {
  // The methods policy (enabled, groups, admins) and push limits: see ../methods-policy.ts.
  if (isPolicyCommand(argv)) return runPolicyCommand(argv, io);
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'show': {
      const { values, positionals } = parse(rest, { json: { type: 'boolean' } }, USAGE);
      const method = positionals[0] ?? 'webauthn';
      if (!(METHODS as readonly string[]).includes(method) || positionals.length > 1) throw new CliError(`unknown method '${method}': settings exist for ${METHODS.join(', ')}`, 2);
      const stored = await withContext((ctx) => readMethodSettings(ctx.store.db, 'webauthn', webauthnSettingsSchema));
      if (values.json) printJson(io, { method, settings: stored.settings, updatedAt: stored.updatedAt, updatedBy: stored.updatedBy });
      else printWebauthn(io, stored.settings, stored);
      return 0;
    }
    case 'set': {
      const { values, positionals } = parse(
        rest,
        {
          attestation: { type: 'string' },
          aaguid: { type: 'string', multiple: true },
          'applies-to': { type: 'string' },
          'admins-phishing-resistant': { type: 'string' },
          json: { type: 'boolean' },
        },
        USAGE,
      );
      if (positionals.length !== 1 || positionals[0] !== 'webauthn') throw new CliError(`expected the method: webauthn\nusage: ${USAGE}`, 2);
      const patch: WebauthnSettingsPatch = {};
      const attestation = oneOf(values.attestation, ['none', 'allowlist'] as const, '--attestation');
      if (attestation) patch.attestation = attestation;
      if (values.aaguid) patch.aaguids = values.aaguid;
      else if (attestation === 'none') patch.aaguids = [];
      const appliesTo = oneOf(values['applies-to'], ['everyone', 'admins'] as const, '--applies-to');
      if (appliesTo) patch.appliesTo = appliesTo;
      const admins = onOff(values['admins-phishing-resistant']);
      if (admins !== undefined) patch.adminsRequirePhishingResistant = admins;
      if (Object.keys(patch).length === 0) throw new CliError(`nothing to change\nusage: ${USAGE}`, 2);
      const settings = await withContext(async (ctx) => {
        try {
          return await setWebauthnSettings(ctx.store, patch, { actor: cliActor() });
        } catch (err) {
          if (err instanceof MethodError) throw new CliError(err.message);
          throw err;
        }
      });
      if (values.json) printJson(io, { method: 'webauthn', settings });
      else io.out(`updated webauthn settings: attestation ${settings.attestation}${settings.aaguids.length ? ` (${settings.aaguids.length} allowed)` : ''}, admins need phishing-resistant MFA ${settings.adminsRequirePhishingResistant ? 'on' : 'off'}`);
      return 0;
    }
    default:
      throw new CliError(`${sub ? `unknown subcommand '${sub}'` : 'missing subcommand'}\nusage: ${USAGE}`, 2);
  }
}
