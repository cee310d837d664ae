/**
 * npm run bench: every benchmark in turn, one after another so they do not
 * compete for the machine, each printing its own figures. A name runs just
 * that one:  npm run bench -- signin
 */
import { spawnSync } from 'node:child_process';

const BENCHES: Record<string, string[]> = {
  signin: ['bench/signin.ts'],
  'client-credentials': ['bench/client-credentials.ts', '5', '3'],
  policy: ['bench/policy.ts'],
  radius: ['bench/radius.ts'],
};

const wanted = process.argv.slice(2);
const unknown = wanted.filter((w) => !(w in BENCHES));
if (unknown.length) {
  console.error(`unknown benchmark ${unknown.join(', ')}; there are: ${Object.keys(BENCHES).join(', ')}`);
  process.exit(2);
}
let failed = 0;
for (const name of wanted.length ? wanted : Object.keys(BENCHES)) {
  console.log(`== ${name}`);
  const run = spawnSync(process.execPath, BENCHES[name]!, { stdio: 'inherit' });
  if (run.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
