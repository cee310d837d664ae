import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { loadConfig } from './config.ts';

const SECRET = 'x'.repeat(32);
const dataDir = join(tmpdir(), 'tessera-delivery-config');

test('defaults: e-mail gets high and critical, webhook and syslog everything', () => {
  const c = loadConfig({
    TESSERA_DATA_DIR: dataDir,
    TESSERA_SMTP_URL: 'smtp://mail.example.com:587', TESSERA_MAIL_FROM: 'id@example.com', TESSERA_ALERT_EMAIL: 'sec@example.com, soc@example.com',
    TESSERA_ALERT_WEBHOOK_URL: 'https://hooks.example.com/t', TESSERA_ALERT_WEBHOOK_SECRET: SECRET, TESSERA_SYSLOG_URL: 'tcp://logs.example.com:6514',
  }).delivery!;
  assert.deepEqual(c.routes, [
    { channel: 'email', minSeverity: 'high', to: ['sec@example.com', 'soc@example.com'] },
    { channel: 'webhook', minSeverity: 'low' },
    { channel: 'syslog', minSeverity: 'low' },
  ]);
  assert.deepEqual(c.checkpoints, { intervalSeconds: 3600, file: undefined, webhook: true, syslog: true }, 'checkpoints go to every sink configured unless named');
  assert.equal(loadConfig({ TESSERA_DATA_DIR: dataDir }).delivery!.checkpoints, undefined, 'no sink, no checkpoints');
});

test('TESSERA_ALERT_ROUTES replaces the defaults (JSON in the environment, an array in the file)', () => {
  const c = loadConfig({
    TESSERA_DATA_DIR: dataDir, TESSERA_SYSLOG_URL: 'udp://127.0.0.1:514',
    TESSERA_ALERT_ROUTES: '[{"channel":"syslog","minSeverity":"medium"}]',
  }).delivery!;
  assert.deepEqual(c.routes, [{ channel: 'syslog', minSeverity: 'medium' }]);
  assert.throws(() => loadConfig({ TESSERA_ALERT_ROUTES: '[{"channel":"webhook"}]' }), /a webhook route needs TESSERA_ALERT_WEBHOOK_URL/);
  assert.throws(() => loadConfig({ TESSERA_ALERT_ROUTES: 'not json' }), /TESSERA_ALERT_ROUTES: must be a JSON array of routes/);
});

test('unsafe or incomplete settings are refused with the variable named', () => {
  assert.throws(() => loadConfig({ TESSERA_ALERT_WEBHOOK_URL: 'https://h.example.com/' }), /TESSERA_ALERT_WEBHOOK_SECRET: required/);
  assert.throws(() => loadConfig({ TESSERA_ALERT_WEBHOOK_URL: 'https://h.example.com/', TESSERA_ALERT_WEBHOOK_SECRET: 'short' }), /at least 32 characters/);
  assert.throws(() => loadConfig({ TESSERA_ALERT_WEBHOOK_URL: 'http://h.example.com/', TESSERA_ALERT_WEBHOOK_SECRET: SECRET }), /must be https:\/\//);
  assert.throws(() => loadConfig({ TESSERA_SMTP_URL: 'smtp://mail.example.com' }), /TESSERA_MAIL_FROM: required/);
  assert.throws(() => loadConfig({ TESSERA_ALERT_EMAIL: 'a@example.com' }), /TESSERA_SMTP_URL: required/);
  assert.throws(() => loadConfig({ TESSERA_SMTP_URL: 'http://mail.example.com' }), /TESSERA_SMTP_URL: must be smtp:\/\//);
  assert.throws(() => loadConfig({ TESSERA_SYSLOG_URL: 'https://logs.example.com' }), /TESSERA_SYSLOG_URL: must be udp:\/\//);
});

test('the checkpoint file must be outside the data directory', () => {
  assert.throws(() => loadConfig({ TESSERA_DATA_DIR: dataDir, TESSERA_AUDIT_CHECKPOINT_FILE: join(dataDir, 'cp.jsonl') }), /must be outside the data directory/);
  const c = loadConfig({ TESSERA_DATA_DIR: dataDir, TESSERA_AUDIT_CHECKPOINT_FILE: join(tmpdir(), 'anchor', 'cp.jsonl'), TESSERA_AUDIT_CHECKPOINT_SECONDS: '600' }).delivery!;
  assert.deepEqual(c.checkpoints, { intervalSeconds: 600, file: resolve(tmpdir(), 'anchor', 'cp.jsonl'), webhook: false, syslog: false });
  assert.throws(() => loadConfig({ TESSERA_AUDIT_CHECKPOINT_SINKS: 'webhook' }), /webhook is named but TESSERA_ALERT_WEBHOOK_URL is not set/);
});
