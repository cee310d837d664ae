import type { FastifyInstance } from 'fastify';
import { registerOperationsOnFirstUse } from './on-first-use.ts';

/** The admin API; registered with `{ prefix: '/api/admin' }`. Its operations load at the first call (on-first-use.ts says why). */
export async function adminRoutes(app: FastifyInstance): Promise<void> {
  registerOperationsOnFirstUse(app, async () => (await import('./operations.ts')).ADMIN_OPERATIONS);
}
