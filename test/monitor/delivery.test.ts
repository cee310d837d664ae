import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ENGINES, engineSkip } from '../support/engines.ts';
import { startTestServer } from '../support/server.ts';
import { raiseAlert } from '../../src/monitor/alerts.ts';
import { enqueueMail } from '../../src/monitor/outbox/enqueue.ts';
import { startOutboxWorker } from '../../src/monitor/outbox/worker.ts';
import { createLogger } from '../../src/app/logger.ts';
import type { DeliveryConfig } from '../../src/config/delivery.ts';
import { makePki, startSmtp, startSyslogTcp, startSyslogUdp, startWebhookReceiver, waitFor } from './listeners.ts';

/**
 * Alerts and e-mail leave through the outbox to real listeners: SMTP with
 * STARTTLS under a CA made for this run, the signed webhook, syslog over UDP
 * and TCP. A node stopped with deliveries pending leaves them to the next one,
 * which sends each once.
 */
const SECRET = 'a-webhook-secret-of-at-least-32-characters';

for (const engine of ENGINES) {
  test(`alert delivery on ${engine}`, engineSkip(engine), async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-delivery-'));
    const pki = makePki();
    writeFileSync(join(dir, 'ca.pem'), pki.caPem);
    const smtp = await startSmtp(pki);
    const hook = await startWebhookReceiver(SECRET);
    const udp = await startSyslogUdp();
    const tcp = await startSyslogTcp();
    t.after(async () => {
      await Promise.all([smtp.close(), hook.close(), udp.close(), tcp.close()]);
      rmSync(dir, { recursive: true, force: true });
    });
    const delivery = (syslog: string, pollMs: number): DeliveryConfig => ({
      smtp: { url: `smtp://localhost:${smtp.port}`, from: 'tessera@example.com', ca: join(dir, 'ca.pem') },
      webhook: { url: `http://127.0.0.1:${hook.port}/alerts`, secret: SECRET },
      syslog: { url: syslog },
      routes: [
        { channel: 'email', minSeverity: 'high', to: ['security@example.com'] },
        { channel: 'webhook', minSeverity: 'low' },
        { channel: 'syslog', minSeverity: 'medium' },
      ],
      worker: { pollMs },
    });

    await t.test('an alert reaches e-mail (over STARTTLS), the signed webhook and syslog over UDP, each once', async () => {
      const server = await startTestServer(engine, { delivery: delivery(`udp://127.0.0.1:${udp.port}`, 100) });
      try {
        const alert = await raiseAlert(server.ctx.store.db, { severity: 'critical', kind: 'breakglass.signin', username: 'glass-1', details: { ip: '192.0.2.7' } });
        await raiseAlert(server.ctx.store.db, { severity: 'low', kind: 'test.low' });
        await waitFor('the deliveries', () => smtp.received.length >= 1 && hook.received.length >= 2 && udp.received.length >= 1);
        const mail = smtp.received[0]!;
        assert.equal(mail.secure, true, 'the client upgraded with STARTTLS and trusted the CA');
        assert.deepEqual(mail.to, ['security@example.com']);
        assert.equal(mail.from, 'tessera@example.com');
        assert.match(mail.raw, /Subject: \[Tessera\] critical alert: breakglass\.signin \(glass-1\)/);
        assert.match(mail.raw, new RegExp(`tessera alerts ack ${alert.id}`));
        assert.ok(hook.received.every((h) => h.valid), 'every webhook request carried a valid signature');
        const kinds = hook.received.map((h) => (h.body.alert as { kind: string }).kind).sort();
        assert.deepEqual(kinds, ['breakglass.signin', 'test.low']);
        const log = udp.received[0]!;
        assert.equal(log.pri, 10 * 8 + 2, 'authpriv.crit');
        assert.equal(log.version, 1);
        assert.equal(log.appName, 'tessera');
        assert.equal(log.msgId, 'breakglass.signin');
        assert.equal(log.params.id, alert.id);
        assert.equal(log.params.user, 'glass-1');
        assert.equal((JSON.parse(log.msg) as { alert: { severity: string } }).alert.severity, 'critical');
        await new Promise((r) => setTimeout(r, 400));
        assert.equal(smtp.received.length, 1, 'the low alert did not go to e-mail');
        assert.equal(udp.received.length, 1, 'nor to syslog (medium and up)');
        assert.equal(hook.received.length, 2);
      } finally {
        await server.close();
      }
    });

    await t.test('smtps:// speaks TLS from the first byte; a bad recipient is refused when queued', async () => {
      const tls = await startSmtp(pki, true);
      const server = await startTestServer(engine);
      const config = { issuer: server.url, delivery: { smtp: { url: `smtps://localhost:${tls.port}`, from: 'tessera@example.com', ca: join(dir, 'ca.pem') }, routes: [] } };
      const worker = startOutboxWorker({ store: server.ctx.store, logger: createLogger('silent'), config }, { pollMs: 3_600_000 });
      try {
        await enqueueMail(server.ctx.store.db, { to: ['bob@example.com'], subject: 'A new sign-in method', text: 'hello', html: '<p>hello</p>' });
        await worker.drain();
        await waitFor('the mail', () => tls.received.length === 1);
        assert.equal(tls.received[0]!.secure, true);
        assert.match(tls.received[0]!.raw, /Content-Type: text\/html/);
        await assert.rejects(enqueueMail(server.ctx.store.db, { to: ['not an address'], subject: 's', text: 't' }), /not an e-mail address/);
        await assert.rejects(enqueueMail(server.ctx.store.db, { to: ['a@example.com'], subject: 'two\nlines', text: 't' }), /one line/);
      } finally {
        await worker.stop();
        await server.close();
        await tls.close();
      }
    });

    await t.test('a node stopped with deliveries pending: the next node on the same store sends each once, over TCP syslog too', async () => {
      smtp.received.length = 0;
      hook.received.length = 0;
      const syslog = `tcp://127.0.0.1:${tcp.port}`;
      // The first node polls once an hour: nothing leaves while it runs.
      const first = await startTestServer(engine, { delivery: delivery(syslog, 3_600_000) });
      for (let i = 0; i < 3; i++) await raiseAlert(first.ctx.store.db, { severity: 'high', kind: `test.pending.${i}` });
      await first.ctx.store.db.transaction().execute((trx) => enqueueMail(trx, { to: ['alice@example.com'], subject: 'Your sign-in methods changed', text: 'hello' }, { key: 'notice-1' }));
      await enqueueMail(first.ctx.store.db, { to: ['alice@example.com'], subject: 'Your sign-in methods changed', text: 'hello' }, { key: 'notice-1' });
      await first.app.close();
      assert.equal(hook.received.length + smtp.received.length + tcp.received.length, 0);

      // Two nodes come up on the same store: between them, each delivery goes out once.
      const second = await startTestServer(engine, { delivery: delivery(syslog, 100) }, { node: { testStore: first.testStore, secrets: first.ctx.secrets } });
      const third = await startTestServer(engine, { delivery: delivery(syslog, 100) }, { node: { testStore: first.testStore, secrets: first.ctx.secrets } });
      try {
        await waitFor('the pending deliveries', () => hook.received.length >= 3 && smtp.received.length >= 4 && tcp.received.length >= 3);
        await new Promise((r) => setTimeout(r, 500));
        assert.equal(hook.received.length, 3);
        assert.equal(new Set(hook.received.map((h) => h.deliveryId)).size, 3);
        assert.equal(smtp.received.length, 4, 'three alert mails and one notice (its second enqueue was a no-op)');
        assert.equal(smtp.received.filter((m) => m.to.includes('alice@example.com')).length, 1);
        assert.equal(tcp.received.length, 3);
        assert.deepEqual(tcp.received.map((m) => m.msgId).sort(), ['test.pending.0', 'test.pending.1', 'test.pending.2']);
        const left = await second.ctx.store.db.selectFrom('outbox').select('status').where('status', '!=', 'sent').execute();
        assert.deepEqual(left, []);
      } finally {
        await third.app.close();
        await second.close();
      }
    });
  });
}
