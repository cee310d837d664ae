import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from './config.ts';

test('Web Push settings: a mailto: or https: contact, and exact origins allowed to be private', () => {
  assert.deepEqual(loadConfig({}).webPush, { contact: undefined, allowPrivateOrigins: [] });
  const c = loadConfig({ TESSERA_WEBPUSH_CONTACT: 'mailto:security@example.com', TESSERA_WEBPUSH_ALLOW_PRIVATE_ORIGINS: 'http://127.0.0.1:8090, https://push.lab:443' });
  assert.deepEqual(c.webPush, { contact: 'mailto:security@example.com', allowPrivateOrigins: ['http://127.0.0.1:8090', 'https://push.lab'] });
  for (const [name, value] of [['TESSERA_WEBPUSH_CONTACT', 'http://example.com'], ['TESSERA_WEBPUSH_ALLOW_PRIVATE_ORIGINS', 'http://127.0.0.1:8090/path']]) {
    assert.throws(() => loadConfig({ [name!]: value }), (err: unknown) => err instanceof ConfigError && err.message.startsWith(`${name}:`));
  }
});
