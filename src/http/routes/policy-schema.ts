import type { FastifyInstance } from 'fastify';
import { policyJsonSchema } from '../../policy/document.ts';

/**
 * GET /api/policy.schema.json: the published JSON Schema of policy documents, for editors and reviews.
 * Built at its first request: most servers never serve it, and the admin API it belongs with loads on first use too.
 */
export async function policySchemaRoute(app: FastifyInstance): Promise<void> {
  let schema: Record<string, unknown> | undefined;
  app.get('/api/policy.schema.json', async (_request, reply) => {
    schema ??= policyJsonSchema();
    return reply.type('application/schema+json').header('cache-control', 'public, max-age=3600').send(schema);
  });
}
