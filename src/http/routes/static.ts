import { readFile } from 'node:fs/promises';
import { join, dirname, extname, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';

const web = join(dirname(fileURLToPath(import.meta.url)), '../../../web');
const TYPES: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
};

/** The few static files pages need (stylesheet, small scripts) from web/static, and the console's from web/console. */
export async function staticRoutes(app: FastifyInstance): Promise<void> {
  serveFolder(app, '/static/', join(web, 'static'));
  serveFolder(app, '/console/', join(web, 'console'));
}

function serveFolder(app: FastifyInstance, prefix: string, root: string): void {
  app.get<{ Params: { '*': string } }>(`${prefix}*`, async (request, reply) => {
    const rel = normalize(request.params['*']).replace(/^(\.\.(\/|$))+/, '');
    const type = TYPES[extname(rel)];
    if (!type || rel.includes('..')) return reply.status(404).send({ error: 'not_found', message: 'no such file' });
    try {
      const body = await readFile(join(root, rel));
      return reply.type(type).header('cache-control', 'public, max-age=300').send(body);
    } catch {
      return reply.status(404).send({ error: 'not_found', message: 'no such file' });
    }
  });
}
