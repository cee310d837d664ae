import { z } from 'zod';
import { defineOperation, type Operation } from './operation.ts';
import { idParams } from './schemas.ts';
import { resolveUser } from '../../../directory/users.ts';
import { listLiveSessions } from '../../../signin/session/sessions.ts';
import { userRisk } from '../../../policy/store/risk-facts.ts';
import { RISK_LEVELS } from '../../../policy/document.ts';

const time = z.iso.datetime({ offset: true });

export const userSessionOperations: Operation[] = [
  defineOperation({
    method: 'GET', path: '/users/:id/sessions', operationId: 'listUserSessions', tag: 'users', permission: 'users:read',
    summary: 'A person\'s live sessions (where they are signed in, with what) and their user risk as conditional access sees it',
    params: idParams,
    response: z.object({
      risk: z.enum(RISK_LEVELS),
      items: z.array(z.object({
        id: z.string(), createdAt: time, lastSeenAt: time, expiresAt: time, ip: z.string().nullable(), userAgent: z.string().nullable(),
        strength: z.string().nullable(), methods: z.array(z.string()),
      })),
    }),
    errors: [404],
    handler: async ({ ctx, params }) => {
      const user = await resolveUser(ctx.store.db, params.id);
      return { risk: await userRisk(ctx.store.db, user.id), items: await listLiveSessions(ctx.store.db, user.id) };
    },
  }),
];
