import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { ENGINES, engineSkip } from '../support/engines.ts';
import { startTestServer } from '../support/server.ts';
import { injectedServer } from './support.ts';
import { loadConfig } from '../../src/config/config.ts';

async function freePort(): Promise<number> {
  const probe = createServer();
  return new Promise((resolve) => probe.listen(0, '127.0.0.1', () => {
    const a = probe.address();
    probe.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
  }));
}

test('TESSERA_METRICS_PORT is a port of its own', () => {
  assert.equal(loadConfig({ TESSERA_METRICS_PORT: '9464' }).metricsPort, 9464);
  assert.equal(loadConfig({}).metricsPort, undefined);
  assert.throws(() => loadConfig({ PORT: '3000', TESSERA_METRICS_PORT: '3000' }), /TESSERA_METRICS_PORT: must differ from PORT/);
  assert.throws(() => loadConfig({ TESSERA_METRICS_PORT: 'x' }), /TESSERA_METRICS_PORT/);
});

for (const engine of ENGINES) {
  test(`/metrics is not public on ${engine}`, engineSkip(engine), async (t) => {
    await t.test('on the main listener it needs an admin API token', async () => {
      const s = await injectedServer(engine);
      t.after(() => s.close());
      const none = await s.call('GET', '/metrics');
      assert.equal(none.statusCode, 401);
      assert.doesNotMatch(none.body, /tessera_http/);
      assert.equal((await s.call('GET', '/metrics', { token: 'tsk_garbage' })).statusCode, 401);
      const ok = await s.call('GET', '/metrics', { token: await s.token('auditor') });
      assert.equal(ok.statusCode, 200);
      assert.match(ok.body, /# TYPE tessera_http_request_duration_seconds histogram/);
    });

    await t.test('with TESSERA_METRICS_PORT it is served there, without a token, and not on the main listener', async () => {
      const metricsPort = await freePort();
      const server = await startTestServer(engine, { metricsPort });
      let open = true;
      t.after(async () => {
        if (open) await server.close();
      });
      assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
      assert.equal((await fetch(`${server.url}/metrics`)).status, 404);
      const res = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
      assert.equal(res.status, 200);
      assert.match(await res.text(), /tessera_http_request_duration_seconds_count\{method="GET",route="\/healthz",status="200"\} 1/);
      open = false;
      await server.close();
      await assert.rejects(fetch(`http://127.0.0.1:${metricsPort}/metrics`), 'closed with the server');
    });
  });
}
