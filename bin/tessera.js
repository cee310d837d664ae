#!/usr/bin/env node
// The `tessera` command. Tessera runs its TypeScript sources directly, which
// needs a Node.js that strips types by default (22.18 or newer; npm scripts use
// the version pinned in package.json).
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  console.error(`tessera: Node.js ${process.versions.node} is too old; use 22.18 or newer (npm start and npx use the pinned one)`);
  process.exit(1);
}
await import('../src/cli/main.ts');
