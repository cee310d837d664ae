#!/usr/bin/env node
// The `tessera` command. Tessera runs its TypeScript sources directly, which
// needs a Node.js that strips types by default (22.18 or newer; npm scripts use
// the version pinned in package.json).
import { enableCompileCache, flushCompileCache } from 'node:module';
import { fileURLToPath } from 'node:url';

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  console.error(`tessera: Node.js ${process.versions.node} is too old; use 22.18 or newer (npm start and npx use the pinned one)`);
  process.exit(1);
}
// Stripping the types of some 500 source files and compiling them is most of
// a start's time; Node's compile cache keeps the results between runs (an
// entry is used only while its source is unchanged). It lives in this
// installation's node_modules/.cache, writable only by those who can change
// the code anyway, never in the shared temporary folder where another local
// user could plant entries. Without write access it is simply not used.
// NODE_COMPILE_CACHE names another folder; NODE_DISABLE_COMPILE_CACHE=1 turns it off.
if (!process.env.NODE_COMPILE_CACHE) enableCompileCache(fileURLToPath(new URL('../node_modules/.cache/tessera-compile', import.meta.url)));
// The server runs with a smaller young generation than V8 picks on a large
// machine (src/app/young-generation.ts says why). V8 reads that size only when
// a process starts, so `tessera serve` replaces itself, once, with the same
// command plus the flag (same process id, streams and environment; about one
// Node start-up, some 40 ms). Other commands are left alone: they are short.
if (process.argv[2] === 'serve' && typeof process.execve === 'function') {
  const { restartWithYoungGeneration } = await import('../src/app/young-generation.ts');
  const again = restartWithYoungGeneration(process);
  if (again) {
    flushCompileCache();
    try {
      process.execve(process.execPath, again, process.env);
    } catch (err) {
      // execve returns only when it failed: the server then runs as it is.
      console.error(`tessera: could not restart with a smaller young generation (${err.message}); running with V8's default`);
    }
  }
}
await import('../src/cli/main.ts');
