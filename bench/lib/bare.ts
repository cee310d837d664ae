/** The bare oidc-provider baseline as a child process (bench/bare-oidc-provider.ts). */
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { freePort, startChild, stopChild } from './process.ts';

export interface Bare {
  port: number;
  secret: string;
  child: ChildProcess;
  close(): Promise<void>;
}

export async function startBare(): Promise<Bare> {
  const port = await freePort();
  const secret = randomBytes(32).toString('base64url');
  const child = await startChild([join(import.meta.dirname, '../bare-oidc-provider.ts'), String(port), secret], 'ready');
  return { port, secret, child, close: () => stopChild(child) };
}
