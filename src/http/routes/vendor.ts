import { readFile } from 'node:fs/promises';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';

/**
 * Browser libraries the pages import, served from the installed package (not
 * copied into the repository): @simplewebauthn/browser's ES modules under
 * /static/vendor/simplewebauthn-browser/, with /static/vendor/simplewebauthn-browser.js
 * as the one entry point pages import.
 */
const browserEsm = dirname(fileURLToPath(import.meta.resolve('@simplewebauthn/browser')));
const ENTRY = "export * from './simplewebauthn-browser/index.js';\n";

export async function vendorRoutes(app: FastifyInstance): Promise<void> {
  app.get('/static/vendor/simplewebauthn-browser.js', async (_request, reply) =>
    reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=300').send(ENTRY),
  );
  app.get<{ Params: { '*': string } }>('/static/vendor/simplewebauthn-browser/*', async (request, reply) => {
    const rel = normalize(request.params['*']);
    if (!/^[A-Za-z0-9_/-]+\.js$/.test(rel) || rel.includes('..')) return reply.status(404).send({ error: 'not_found', message: 'no such file' });
    try {
      const body = await readFile(join(browserEsm, rel));
      return reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=300').send(body);
    } catch {
      return reply.status(404).send({ error: 'not_found', message: 'no such file' });
    }
  });
}
