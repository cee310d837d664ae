import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runCli } from './support.ts';

const commands = readdirSync(fileURLToPath(new URL('../../src/cli/commands/', import.meta.url)))
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
  .map((f) => f.replace(/\.ts$/, ''));

// --help needs no database: nothing is opened, so no environment is set up.
const env = { ...process.env, TESSERA_DATA_DIR: '/nonexistent/tessera-help', DATABASE_URL: '' };

test('tessera <command> --help prints that command\'s usage and exits 0', { concurrency: 4 }, async (t) => {
  assert.ok(commands.length > 10);
  await Promise.all(commands.map((name) => t.test(name, async () => {
    const r = await runCli([name, '--help'], env);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.match(r.stdout, new RegExp(`^usage: tessera ${name}\\b`, 'm'));
  })));
});

test('--help after a subcommand or as -h works too; after -- it is an argument', async () => {
  for (const args of [['user', 'create', '--help'], ['session', 'revoke-all', '-h'], ['token', '-h']]) {
    const r = await runCli(args, env);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stdout, new RegExp(`^usage: tessera ${args[0]}`, 'm'));
  }
  const r = await runCli(['user', 'show', '--', '--help'], env);
  assert.notEqual(r.code, 0, 'not a request for help: "--help" is the username here');
  assert.equal(r.stdout, '');
});
