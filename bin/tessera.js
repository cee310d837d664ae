#!/usr/bin/env node
// The `tessera` command. Tessera runs its TypeScript sources directly, which
// needs a Node.js that strips types by default (22.18 or newer; npm scripts use
// the version pinned in package.json).
import { enableCompileCache } from 'node:module';
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
await import('../src/cli/main.ts');
