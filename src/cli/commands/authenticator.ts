import { homedir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline/promises';
import * as OTPAuth from 'otpauth';
import { CliError, parse, printJson, printTable, readStdin, type Io } from '../support.ts';
import {
  approve, AuthenticatorError, deny, enrol, pendingRequests, readKeyFile, writeKeyFile, type KeyFile, type PendingRequest, type TotpAccount,
} from '../authenticator-client.ts';

export const summary = 'a command-line push authenticator (enrol, wait, approve, deny) that can also hold TOTP accounts';

export const USAGE = `tessera authenticator enrol '<enrolment link>' [--label l]
       tessera authenticator requests [--wait seconds] [--json]
       tessera authenticator approve <request-id> --number NN
       tessera authenticator deny <request-id> [--not-me]
       tessera authenticator wait            (waits for a request, asks for the number)
       tessera authenticator totp add <name> --secret-stdin [--digits 6] [--period 30] [--algorithm SHA1]
       tessera authenticator totp code <name>
       tessera authenticator totp list
  options: --key-file <path> (default $TESSERA_AUTHENTICATOR_KEY_FILE or ~/.tessera-authenticator.json)`;

const OPTIONS = {
  'key-file': { type: 'string' },
  label: { type: 'string' },
  wait: { type: 'string' },
  number: { type: 'string' },
  'not-me': { type: 'boolean' },
  json: { type: 'boolean' },
  'secret-stdin': { type: 'boolean' },
  digits: { type: 'string' },
  period: { type: 'string' },
  algorithm: { type: 'string' },
} as const;

function keyPath(flag: string | undefined): string {
  return flag ?? process.env.TESSERA_AUTHENTICATOR_KEY_FILE ?? join(homedir(), '.tessera-authenticator.json');
}

function describe(r: PendingRequest): string {
  return `${r.id}  sign-in to ${r.app ?? 'Tessera'} from ${r.ip ?? 'unknown address'} (${r.location}) at ${r.createdAt}, expires ${r.expiresAt}`;
}

async function findRequest(key: KeyFile, id: string): Promise<PendingRequest> {
  const r = (await pendingRequests(key)).find((x) => x.id === id);
  if (!r) throw new CliError(`no pending request ${id} (it may have expired or been answered)`);
  return r;
}

function totpOf(a: TotpAccount): OTPAuth.TOTP {
  return new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(a.secret), digits: a.digits, period: a.period, algorithm: a.algorithm });
}

async function totpCommand(args: string[], values: Record<string, string | boolean | undefined>, path: string, io: Io): Promise<number> {
  const [sub, name] = args;
  const key = readKeyFile(path);
  if (sub === 'list') {
    printTable(io, key.totp.map((a) => ({ name: a.name, digits: a.digits, period: a.period })), ['name', 'digits', 'period']);
    return 0;
  }
  if (!name) throw new CliError(`name the account\nusage: ${USAGE}`, 2);
  if (sub === 'add') {
    if (!values['secret-stdin']) throw new CliError('the secret is read from stdin: pass --secret-stdin', 2);
    const secret = (await readStdin('the TOTP secret (base32)')).replace(/\s/g, '').toUpperCase();
    if (!/^[A-Z2-7]+=*$/.test(secret)) throw new CliError('the secret must be base32', 2);
    const algorithm = String(values.algorithm ?? 'SHA1').toUpperCase();
    if (algorithm !== 'SHA1' && algorithm !== 'SHA256' && algorithm !== 'SHA512') throw new CliError('--algorithm must be SHA1, SHA256 or SHA512', 2);
    const account: TotpAccount = { name, secret, digits: Number(values.digits ?? 6), period: Number(values.period ?? 30), algorithm };
    writeKeyFile(path, { ...key, totp: [...key.totp.filter((a) => a.name !== name), account] });
    io.out(`added ${name}`);
    return 0;
  }
  if (sub === 'code') {
    const a = key.totp.find((x) => x.name === name);
    if (!a) throw new CliError(`no TOTP account named ${name}`);
    io.out(totpOf(a).generate());
    return 0;
  }
  throw new CliError(`unknown totp command\nusage: ${USAGE}`, 2);
}

export async function run(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, OPTIONS, USAGE);
  const [command, ...args] = positionals;
  const path = keyPath(values['key-file']);
  try {
    switch (command) {
      case 'enrol': {
        if (args.length !== 1) throw new CliError(`expected the enrolment link\nusage: ${USAGE}`, 2);
        const data = await enrol(args[0]!, values.label ?? 'Command-line authenticator');
        try {
          writeKeyFile(path, data, true);
        } catch {
          throw new CliError(`${path} exists already: pass --key-file for a new authenticator`);
        }
        io.out(`enrolled as ${data.label} (${data.credentialId}); device key in ${path}`);
        return 0;
      }
      case 'requests': {
        const wait = Number(values.wait ?? 0);
        if (!Number.isInteger(wait) || wait < 0 || wait > 25) throw new CliError('--wait must be 0 to 25 seconds', 2);
        const list = await pendingRequests(readKeyFile(path), wait);
        if (values.json) printJson(io, list);
        else if (!list.length) io.out('no pending requests');
        else list.forEach((r) => io.out(describe(r)));
        return 0;
      }
      case 'approve': {
        if (args.length !== 1 || !values.number) throw new CliError(`expected a request id and --number\nusage: ${USAGE}`, 2);
        const key = readKeyFile(path);
        io.out(await approve(key, await findRequest(key, args[0]!), values.number.trim()));
        return 0;
      }
      case 'deny': {
        if (args.length !== 1) throw new CliError(`expected a request id\nusage: ${USAGE}`, 2);
        io.out(await deny(readKeyFile(path), args[0]!, values['not-me'] === true));
        return 0;
      }
      case 'wait': {
        const key = readKeyFile(path);
        let list: PendingRequest[] = [];
        while (!list.length) list = await pendingRequests(key, 25);
        const r = list[0]!;
        io.out(describe(r));
        const rl = createInterface({ input: process.stdin, output: process.stderr });
        const answer = (await rl.question('Enter the number shown on the sign-in page, or "n" to deny, or "x" if this was not you: ')).trim();
        rl.close();
        if (answer === 'n' || answer === 'x') io.out(await deny(key, r.id, answer === 'x'));
        else io.out(await approve(key, r, answer));
        return 0;
      }
      case 'totp':
        return totpCommand(args, values, path, io);
      default:
        throw new CliError(`usage: ${USAGE}`, 2);
    }
  } catch (err) {
    if (err instanceof AuthenticatorError) throw new CliError(err.message, 1);
    throw err;
  }
}
