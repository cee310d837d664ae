import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../../../web/authenticator');
const FILES: Record<string, string> = {
  'app.js': 'text/javascript; charset=utf-8',
  'sw.js': 'text/javascript; charset=utf-8',
  'protocol.js': 'text/javascript; charset=utf-8',
  'webpush.js': 'text/javascript; charset=utf-8',
  'notifications.js': 'text/javascript; charset=utf-8',
  'manifest.webmanifest': 'application/manifest+json',
  'icon.svg': 'image/svg+xml',
};

/** The installable authenticator web app (web/authenticator): /authenticator and its few files. */
export async function authenticatorAppRoutes(app: FastifyInstance): Promise<void> {
  app.get('/authenticator', async (_request, reply) => {
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(await readFile(join(root, 'index.html')));
  });
  app.get<{ Params: { file: string } }>('/authenticator/:file', async (request, reply) => {
    const type = FILES[request.params.file];
    if (!type) return reply.status(404).send({ error: 'not_found', message: 'no such file' });
    if (request.params.file === 'sw.js') reply.header('service-worker-allowed', '/authenticator');
    return reply.type(type).header('cache-control', 'no-cache').send(await readFile(join(root, request.params.file)));
  });
}
