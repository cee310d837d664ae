import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onCI } from './engines.ts';

/**
 * HAProxy (Debian haproxy) in front of Tessera nodes, as an organisation runs
 * it: round robin, health checks on /readyz, the client's address passed on,
 * and each answer marked with the node that gave it (X-Tessera-Node) so a
 * test can see requests of one flow land on different nodes.
 */
export const HAPROXY = '/usr/sbin/haproxy';

export function haproxySkip(): { skip?: string } {
  if (existsSync(HAPROXY) || onCI) return {};
  return { skip: 'the load-balancer tests need HAProxy: apt-get install -y haproxy' };
}

export interface RunningHaproxy {
  url: string;
  close(): Promise<void>;
}

function config(port: number, nodes: ReadonlyArray<{ name: string; port: number }>): string {
  return [
    'global', '  log stderr format raw local0 err', '  maxconn 256',
    'defaults', '  mode http', '  timeout connect 2s', '  timeout client 30s', '  timeout server 30s', '  retries 3', '  option redispatch', '  option forwardfor',
    'frontend tessera', `  bind 127.0.0.1:${port}`, '  default_backend nodes',
    'backend nodes', '  balance roundrobin', '  option httpchk GET /readyz', '  http-check expect status 200',
    '  default-server inter 300ms fall 2 rise 1',
    '  http-response set-header X-Tessera-Node %s',
    ...nodes.map((n) => `  server ${n.name} 127.0.0.1:${n.port} check`),
    '',
  ].join('\n');
}

export async function startHaproxy(port: number, nodes: ReadonlyArray<{ name: string; port: number }>): Promise<RunningHaproxy> {
  if (!existsSync(HAPROXY)) throw new Error('HAProxy is not installed (apt-get install -y haproxy)');
  const dir = mkdtempSync(join(tmpdir(), 'tessera-haproxy-'));
  const file = join(dir, 'haproxy.cfg');
  writeFileSync(file, config(port, nodes));
  const child: ChildProcess = spawn(HAPROXY, ['-db', '-f', file], { stdio: ['ignore', 'ignore', 'pipe'] });
  let errors = '';
  child.stderr!.on('data', (d: Buffer) => (errors += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  const until = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`HAProxy stopped: ${errors}`);
    try {
      if ((await fetch(`${url}/healthz`)).status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > until) throw new Error(`HAProxy did not answer: ${errors}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    async close() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
