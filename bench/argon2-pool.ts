/**
 * The sign-in benchmark's baseline, as a child process of its own so its CPU
 * is read the same way as the server's: argon2id verifications with
 * Tessera's parameters, run the way the server runs them (the asynchronous
 * verify, on the libuv thread pool of the same size: UV_THREADPOOL_SIZE,
 * default 4), with as many in flight as the pool has threads.
 * GET /round?seconds=S answers how many verifications finished. Prints "ready".
 *
 *   node bench/argon2-pool.ts <port>
 */
import { createServer } from 'node:http';
import { hashPassword, verifyPassword } from '../src/methods/password/hash.ts';
import { closedLoop } from './lib/alternate.ts';

const port = Number(process.argv[2]);
const POOL = Number(process.env.UV_THREADPOOL_SIZE ?? 4);
const PASSWORD = 'violet tangerine lighthouse';
const stored = await hashPassword(PASSWORD);

createServer((req, res) => {
  const seconds = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('seconds') ?? 1);
  closedLoop(POOL, seconds, async () => {
    if (!(await verifyPassword(stored, PASSWORD))) throw new Error('the verification failed');
  }).then((r) => res.end(JSON.stringify(r)), (e: Error) => { res.statusCode = 500; res.end(e.message); });
}).listen(port, '127.0.0.1', () => process.stdout.write(`ready (pool of ${POOL})\n`));
