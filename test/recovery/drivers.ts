import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SecretBox } from '../../src/config/secret-box.ts';
import { createApiToken } from '../../src/directory/api-tokens.ts';
import type { StepInput } from '../../src/recovery/cases/index.ts';
import type { TestServer } from '../support/server.ts';
import { cliEnv, runCli } from '../foundation/support.ts';

/**
 * The helpdesk's two ways in, behind one interface, so each runbook runs once
 * through the admin API and once through the real `tessera` binary.
 */
export interface CaseView {
  id: string;
  status: string;
  openedBy: string;
  nextStep: string | null;
  recoveredAt: string | null;
  timeToRecoverSeconds: number | null;
  steps: Array<{ step: string; outcome: string; details: Record<string, unknown>; reason: string | null; operator: string | null }>;
}

export interface Driver {
  name: 'api' | 'cli';
  open(username: string, scenario: string, operator: string): Promise<CaseView>;
  step(caseId: string, step: string, input?: StepInput): Promise<{ case: CaseView; pass?: string }>;
  show(caseId: string): Promise<CaseView>;
  list(username: string): Promise<CaseView[]>;
  addDevice(username: string, label: string): Promise<string>;
  bind(deviceId: string, type: string, credentialId: string): Promise<void>;
  /** The person's registered methods as the helpdesk sees them (user show / GET /users/{id}). */
  methods(username: string): Promise<HelpdeskMethod[]>;
  close(): Promise<void>;
}

export interface HelpdeskMethod {
  id: string;
  type: string;
  kind: string;
  name: string;
  phishingResistant: boolean;
}

/** `owner`: the person the token acts as in four-eyes steps; without one it names the person in each step (a token from before owners). */
export async function apiDriver(server: TestServer, owner?: string): Promise<Driver> {
  const { token } = await createApiToken(server.ctx.store, { role: 'helpdesk', name: 'runbook test', owner }, { actor: 'test' });
  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${server.url}/api/admin${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${res.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }
  return {
    name: 'api',
    open: (username, scenario, operator) => call('POST', '/cases', { user: username, scenario, operator }),
    step: (caseId, step, input) => call('POST', `/cases/${caseId}/steps/${step}`, input ?? {}),
    show: (caseId) => call('GET', `/cases/${caseId}`),
    async list(username) {
      return (await call<{ items: CaseView[] }>('GET', `/cases?user=${encodeURIComponent(username)}`)).items;
    },
    async addDevice(username, label) {
      return (await call<{ id: string }>('POST', '/devices', { userId: username, label })).id;
    },
    async bind(deviceId, type, credentialId) {
      await call('POST', `/devices/${deviceId}/methods`, { type, credentialId });
    },
    async methods(username) {
      return (await call<{ methods: HelpdeskMethod[] }>('GET', `/users/${encodeURIComponent(username)}`)).methods;
    },
    async close() {},
  };
}

/**
 * The CLI against the server's own database. The server's sealing key is
 * replaced by one the CLI is given too, so a pass the CLI issues can be
 * checked by the server.
 */
export function cliDriver(server: TestServer): Driver {
  const key = randomBytes(32);
  server.ctx.secrets = new SecretBox(key);
  const dataDir = mkdtempSync(join(tmpdir(), 'tessera-recovery-cli-'));
  const env = { ...cliEnv(server.testStore, dataDir), TESSERA_MASTER_KEY: key.toString('base64') };
  async function cli(args: string[]): Promise<string> {
    const r = await runCli(args, env);
    if (r.code !== 0) throw new Error(`exit ${r.code}: ${r.stderr.trim()}`);
    return r.stdout;
  }
  const json = async <T>(args: string[]) => JSON.parse(await cli([...args, '--json'])) as T;
  function flags(input: StepInput = {}): string[] {
    const out: string[] = [];
    const add = (flag: string, v: string | number | boolean | undefined) => {
      if (v === undefined || v === false) return;
      out.push(flag);
      if (v !== true) out.push(String(v));
    };
    add('--as', input.operator);
    add('--method', input.method);
    add('--channel', input.channel);
    add('--notes', input.notes);
    add('--lifetime', input.lifetimeMinutes === undefined ? undefined : `${input.lifetimeMinutes}m`);
    add('--start', input.startsAt);
    add('--multi-use', input.multiUse);
    add('--length', input.length);
    add('--approver', input.approver);
    add('--device', input.deviceId);
    for (const c of input.credentials ?? []) add('--credential', `${c.type}:${c.id}`);
    add('--skip', input.skip);
    add('--reason', input.reason);
    return out;
  }
  return {
    name: 'cli',
    open: (username, scenario, operator) => json(['case', 'open', username, '--scenario', scenario, '--as', operator]),
    step: (caseId, step, input) => json(['case', 'step', caseId, step, ...flags(input)]),
    show: (caseId) => json(['case', 'show', caseId]),
    list: (username) => json(['case', 'list', '--user', username]),
    async addDevice(username, label) {
      return (await json<{ id: string }>(['device', 'add', username, '--label', label])).id;
    },
    async bind(deviceId, type, credentialId) {
      await cli(['device', 'bind', deviceId, type, credentialId]);
    },
    async methods(username) {
      return (await json<{ methods: HelpdeskMethod[] }>(['user', 'show', username])).methods;
    },
    async close() {
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
