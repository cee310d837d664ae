import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getHeapSpaceStatistics } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { setTimeout as sleep } from 'node:timers/promises';
import { createTestDatabase } from '../support/engines.ts';
import { startServeProcess, type ServeProcess } from '../support/serve-process.ts';
import { memoryReducingCollector, shouldTrim, TRIM_RULES, trimNow } from '../../src/app/memory-trim.ts';
import { cliEnv } from './support.ts';

/** A quiet server process gives memory back to the system (src/app/memory-trim.ts). */
const MB = 1024 * 1024;
const grown = { lastTrimAt: 0, rssAfterTrim: 100 * MB };
const quietLater = { at: TRIM_RULES.minGapMs, utilization: 0.01, rss: 100 * MB + TRIM_RULES.growthBytes };

test('a trim needs a quiet tick, growth since the last one, and time since it', () => {
  assert.equal(shouldTrim(grown, quietLater, TRIM_RULES), true);
  assert.equal(shouldTrim(grown, { ...quietLater, utilization: 0.2 }, TRIM_RULES), false, 'busy: requests are being answered');
  assert.equal(shouldTrim(grown, { ...quietLater, rss: 100 * MB + TRIM_RULES.growthBytes - 1 }, TRIM_RULES), false, 'not grown enough');
  assert.equal(shouldTrim(grown, { ...quietLater, at: TRIM_RULES.minGapMs - 1 }, TRIM_RULES), false, 'the last trim was too recent');
  assert.equal(shouldTrim({ lastTrimAt: -Infinity, rssAfterTrim: 0 }, { at: 5, utilization: 0, rss: 50 * MB }, TRIM_RULES), true, 'the first quiet tick after start-up');
});

test('the collector is had without leaving gc() to anyone else, and it shrinks the young generation', () => {
  const collect = memoryReducingCollector();
  assert.ok(collect, 'V8 gave its collection function');
  assert.equal(runInNewContext('typeof gc'), 'undefined', 'later contexts get no gc()');
  const young = () => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')!.physical_space_size;
  let keep: unknown[] = [];
  for (let i = 0; i < 200_000; i++) keep.push({ i, s: `x${i}` });
  keep = [];
  const before = young();
  trimNow(collect);
  assert.ok(young() < before && young() <= 2 * MB, `young generation ${before} → ${young()} bytes`);
  assert.equal(keep.length, 0);
});

test('tessera serve trims once it is quiet after start-up and says so in its log', async (t) => {
  const db = await createTestDatabase('sqlite');
  const dataDir = mkdtempSync(join(tmpdir(), 'tessera-trim-'));
  let server: ServeProcess | null = null;
  t.after(async () => {
    await server?.kill();
    await db.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });
  server = await startServeProcess({ ...cliEnv(db, dataDir), TESSERA_LOG_LEVEL: 'debug' });
  const line = async () => server!.output().split('\n').find((l) => l.includes('memory returned to the system while quiet'));
  for (let i = 0; i < 100 && !(await line()); i++) await sleep(100);
  const entry = JSON.parse((await line()) ?? 'null') as { rss_before_mb: number; rss_after_mb: number } | null;
  assert.ok(entry, `no trim in the log: ${server.output().slice(-2000)}`);
  assert.ok(entry.rss_after_mb < entry.rss_before_mb, `RSS ${entry.rss_before_mb} → ${entry.rss_after_mb} MB`);
});
