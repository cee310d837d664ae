import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestServer } from '../support/server.ts';
import { issuePushEnrolment } from '../../src/methods/push/enrol.ts';
import { enrolmentLink } from '../../src/http/routes/account/push.ts';
import { run } from '../../src/cli/commands/authenticator.ts';
import { Browserish, hiddenCsrf, startPortalSignin } from '../support/http-client.ts';

/** Runs `tessera authenticator …` in-process, collecting its output. */
export async function authenticator(keyFile: string, ...args: string[]): Promise<{ code: number; out: string[] }> {
  const out: string[] = [];
  const code = await run([...args, '--key-file', keyFile], { out: (l) => out.push(l), err: (l) => out.push(l) });
  return { code, out };
}

export function tempDir(): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-auth-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Enrols a command-line authenticator for the user with a fresh link; returns its key file. */
export async function enrolCli(server: TestServer, userId: string, dir: string, name: string): Promise<string> {
  const { token } = await issuePushEnrolment(server.ctx.store, userId, { actor: 'test' });
  const keyFile = join(dir, `${name}.json`);
  const r = await authenticator(keyFile, 'enrol', enrolmentLink(server.url, token), '--label', name);
  if (r.code !== 0) throw new Error(r.out.join('\n'));
  return keyFile;
}

/** Password sign-in up to the push page; returns the browser, page path, csrf and the number shown. */
export async function signinToPush(server: TestServer, username: string, password: string) {
  const b = new Browserish(server.url);
  const { path, afterPassword } = await startPortalSignin(b, username, password);
  if (afterPassword.location !== path) throw new Error(`expected the push page, got ${afterPassword.status} ${afterPassword.location}`);
  const pageView = await b.request('GET', path);
  const m = /id="push-number"[^>]*><strong>(\d{2})<\/strong>/.exec(pageView.body);
  return { b, path, csrf: hiddenCsrf(pageView.body), number: m?.[1] ?? null, body: pageView.body };
}

export async function pendingJson(keyFile: string): Promise<Array<{ id: string; nonce: string; app: string; ip: string; location: string }>> {
  const r = await authenticator(keyFile, 'requests', '--json');
  return JSON.parse(r.out.join('\n')) as Array<{ id: string; nonce: string; app: string; ip: string; location: string }>;
}
