import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from './config.ts';

test('the issuer defaults to this machine on the port the server listens on', () => {
  assert.equal(loadConfig({}).issuer, 'http://localhost:3000');
  assert.equal(loadConfig({ PORT: '3999' }).issuer, 'http://localhost:3999');
  assert.equal(loadConfig({ PORT: '3999', TESSERA_ISSUER: 'https://id.example.com/' }).issuer, 'https://id.example.com');
});

test('a malformed setting is refused with its name and the reason', () => {
  assert.throws(() => loadConfig({ TESSERA_ISSUER: 'ftp://id.example.com' }), (err: unknown) => {
    assert.ok(err instanceof ConfigError);
    assert.match(err.message, /^TESSERA_ISSUER: must be an http\(s\) URL/);
    return true;
  });
});
