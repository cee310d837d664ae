import { createDevice, getDevice, listDevices } from '../../directory/devices.ts';
import {
  bindMethodToDevice, credentialsOnDevice, offboardUser, presentBoundTables, replaceDevice, reportDeviceLost, retireDevice,
} from '../../recovery/devices/index.ts';
import { CliError, cliActor, parse, printJson, printTable, withContext, type Io } from '../support.ts';

export const summary = 'device lifecycle: add, list, lost, retire, replace, methods, bind; offboard a user';

export const USAGE = `tessera device add <username> --label <label> [--platform p] [--managed] [--json]
       tessera device list <username> [--all] [--json]
       tessera device lost <device-id> [--note text] [--json]        (revokes its methods and all the user's sessions)
       tessera device retire <device-id> [--json]
       tessera device replace <device-id> --label <new label> [--platform p] [--json]
       tessera device methods <device-id> [--json]
       tessera device bind <device-id> <type> <credential-id> [--json]
       tessera device offboard <username> [--reason text] [--json]`;

function args(positionals: string[], count: number, what: string): string[] {
  if (positionals.length !== count) throw new CliError(`expected ${what}\nusage: ${USAGE}`, 2);
  return positionals;
}

export async function run(argv: string[], io: Io): Promise<number> {
  const [sub, ...rest] = argv;
  const by = { actor: cliActor() };
  switch (sub) {
    case 'add': {
      const { values, positionals } = parse(rest, { label: { type: 'string' }, platform: { type: 'string' }, managed: { type: 'boolean' }, json: { type: 'boolean' } }, USAGE);
      const [username] = args(positionals, 1, 'a username');
      if (!values.label) throw new CliError('the device needs --label', 2);
      const d = await withContext((ctx) => createDevice(ctx.store, { userId: username!, label: values.label!, platform: values.platform, managed: values.managed ?? false }, by));
      if (values.json) printJson(io, d);
      else io.out(`registered ${d.label} (${d.id}) for ${username}`);
      return 0;
    }
    case 'list': {
      const { values, positionals } = parse(rest, { all: { type: 'boolean' }, json: { type: 'boolean' } }, USAGE);
      const [username] = args(positionals, 1, 'a username');
      const devices = await withContext(async (ctx) => {
        const tables = await presentBoundTables(ctx.store.db);
        const list = (await listDevices(ctx.store.db, { userId: username, limit: 500 })).filter((d) => values.all || d.status !== 'retired');
        return Promise.all(list.map(async (d) => ({ ...d, methods: await credentialsOnDevice(ctx.store.db, tables, d.id, d.userId) })));
      });
      if (values.json) printJson(io, devices);
      else printTable(io, devices.map((d) => ({ ...d, methods: d.methods.map((m) => `${m.type}:${m.id}`).join(' ') })), ['id', 'label', 'platform', 'status', 'methods']);
      return 0;
    }
    case 'lost': {
      const { values, positionals } = parse(rest, { note: { type: 'string' }, json: { type: 'boolean' } }, USAGE);
      const [id] = args(positionals, 1, 'a device id');
      const r = await withContext((ctx) => reportDeviceLost(ctx, id!, { ...by, reportedBy: 'helpdesk', note: values.note }));
      if (values.json) printJson(io, r);
      else {
        io.out(`${r.device.label} is lost: ${r.removedMethods.length} method(s) revoked, ${r.sessions} session(s) and ${r.appCredentials} app token(s) revoked; alert ${r.alertId}`);
        if (r.onHold) io.out('the user has no second factor left: they get back in only with a Temporary Access Pass (tessera case open <username> --scenario lost_phone)');
      }
      return 0;
    }
    case 'retire': {
      const { values, positionals } = parse(rest, { json: { type: 'boolean' } }, USAGE);
      const [id] = args(positionals, 1, 'a device id');
      const r = await withContext((ctx) => retireDevice(ctx.store, id!, by));
      if (values.json) printJson(io, r);
      else io.out(`${r.device.label} is retired: ${r.removedMethods.length} method(s) removed`);
      return 0;
    }
    case 'replace': {
      const { values, positionals } = parse(rest, { label: { type: 'string' }, platform: { type: 'string' }, json: { type: 'boolean' } }, USAGE);
      const [id] = args(positionals, 1, 'a device id');
      if (!values.label) throw new CliError('the new device needs --label', 2);
      const r = await withContext((ctx) => replaceDevice(ctx.store, id!, { label: values.label!, platform: values.platform }, by));
      if (values.json) printJson(io, r);
      else io.out(`registered ${r.device.label} (${r.device.id}); retired ${r.retired.device.label} and removed ${r.retired.removedMethods.length} method(s)`);
      return 0;
    }
    case 'methods': {
      const { values, positionals } = parse(rest, { json: { type: 'boolean' } }, USAGE);
      const [id] = args(positionals, 1, 'a device id');
      const methods = await withContext(async (ctx) => {
        const d = await getDevice(ctx.store.db, id!);
        return credentialsOnDevice(ctx.store.db, await presentBoundTables(ctx.store.db), d.id, d.userId);
      });
      if (values.json) printJson(io, methods);
      else printTable(io, methods as unknown as Record<string, unknown>[], ['type', 'id', 'label']);
      return 0;
    }
    case 'bind': {
      const { values, positionals } = parse(rest, { json: { type: 'boolean' } }, USAGE);
      const [deviceId, type, credentialId] = args(positionals, 3, 'a device id, a method type and a credential id');
      const r = await withContext((ctx) => bindMethodToDevice(ctx.store, { deviceId: deviceId!, type: type!, credentialId: credentialId! }, by));
      if (values.json) printJson(io, r);
      else io.out(`${r.type} ${r.id} is bound to device ${r.deviceId}`);
      return 0;
    }
    case 'offboard': {
      const { values, positionals } = parse(rest, { reason: { type: 'string' }, json: { type: 'boolean' } }, USAGE);
      const [username] = args(positionals, 1, 'a username');
      const r = await withContext((ctx) => offboardUser(ctx.store, username!, { ...by, reason: values.reason }));
      if (values.json) printJson(io, r);
      else io.out(`offboarded ${r.username}: ${r.devicesRetired} device(s) retired, ${r.methodsRemoved.length + (r.passwordRemoved ? 1 : 0) + (r.backupCodesRemoved ? 1 : 0)} method(s) removed, ${r.sessions} session(s) and ${r.appCredentials} app token(s) revoked; the account is disabled`);
      return 0;
    }
    default:
      throw new CliError(`${sub ? `unknown subcommand '${sub}'` : 'missing subcommand'}\nusage: ${USAGE}`, 2);
  }
}
