import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ENGINES, engineSkip, openTestStore } from '../support/engines.ts';
import { verifyAuditChain } from '../../src/audit/verify.ts';
import { NODE } from './support.ts';

const SCRIPT = fileURLToPath(new URL('./append-audit.ts', import.meta.url));
const PER_PROCESS = 500;

interface Appender {
  ready: Promise<void>;
  go(): void;
  done: Promise<void>;
}

function appender(database: unknown, actor: string): Appender {
  const child = spawn(NODE, [SCRIPT, JSON.stringify(database), String(PER_PROCESS), actor], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<void>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${actor} exited ${code}: ${stderr}`))));
  });
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
    done.then(() => reject(new Error(`${actor} ended before it was ready`)), reject);
  });
  return { ready, done, go: () => child.stdin.end('go\n') };
}

// The chain must stay linear when several processes (nodes) append to one database at once.
for (const engine of ENGINES) {
  test(`two processes appending ${PER_PROCESS} audit entries each to ${engine}`, engineSkip(engine), async () => {
    // On a busy machine one process can finish before the other is scheduled at all; the chain
    // must be whole every time, and at least one of up to three rounds must really interleave.
    let switches = 0;
    for (let round = 1; round <= 3 && switches <= 1; round++) {
      const ts = await openTestStore(engine);
      try {
        switches = await appendConcurrently(ts);
      } finally {
        await ts.close();
      }
    }
    assert.ok(switches > 1, `expected interleaved appends, saw ${switches} switch(es)`);
  });
}

/** Runs the two appenders at once; checks the chain and the counts; returns how often the writer changed. */
async function appendConcurrently(ts: Awaited<ReturnType<typeof openTestStore>>): Promise<number> {
  const procs = [appender(ts.database, 'proc:a'), appender(ts.database, 'proc:b')];
  await Promise.all(procs.map((p) => p.ready));
  for (const p of procs) p.go();
  await Promise.all(procs.map((p) => p.done));

  const result = await verifyAuditChain(ts.store);
  assert.deepEqual(result.ok ? { ok: true, entries: result.entries } : result, { ok: true, entries: 2 * PER_PROCESS });
  const rows = await ts.store.db
    .selectFrom('audit_log')
    .select(['actor'])
    .select((eb) => eb.fn.countAll().as('n'))
    .groupBy('actor')
    .orderBy('actor')
    .execute();
  assert.deepEqual(rows.map((r) => [r.actor, Number(r.n)]), [['proc:a', PER_PROCESS], ['proc:b', PER_PROCESS]]);
  // Both really ran at once: their entries interleave rather than one block after the other.
  const order = (await ts.store.db.selectFrom('audit_log').select('actor').orderBy('seq').execute()).map((r) => r.actor);
  return order.filter((a, i) => i > 0 && a !== order[i - 1]).length;
}
