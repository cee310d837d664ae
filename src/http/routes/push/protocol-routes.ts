import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { HttpError, badRequest, notFound } from '../../errors.ts';
import { authenticateDevice, type AuthenticatedDevice } from '../../../methods/push/authenticate.ts';
import { completePushEnrolment } from '../../../methods/push/enrol.ts';
import { MethodError } from '../../../methods/errors.ts';
import { pendingForUser, type AnswerResult, type PushRequest } from '../../../methods/push/requests.ts';
import { approvePush, denyPush } from './recorded.ts';
import { appNameOf, appNames } from './app-names.ts';
import { webPushRoutes } from './webpush.ts';
import { HEADER_CREDENTIAL, HEADER_NONCE, HEADER_SIGNATURE, HEADER_TIMESTAMP } from '../../../methods/push/protocol.ts';
import { recordDeviceSeen } from '../../../directory/devices.ts';
import { methodUsable } from '../../../methods/policy/check.ts';

/**
 * The open push-authenticator protocol (docs/push-protocol.md): enrolment,
 * waiting for requests (long poll), approve, deny, report, the Web Push
 * subscription (webpush.ts). Every call after
 * enrolment is signed with the device key.
 */
const PREFIX = '/push/v1';
const MAX_WAIT_S = 25;

const enrolBody = z.object({
  token: z.string().min(1).max(200),
  publicKey: z.unknown(),
  proof: z.string().min(1).max(200),
  label: z.string().max(128).default('Authenticator'),
  platform: z.string().max(64).nullish(),
});
const approveBody = z.object({ number: z.string().regex(/^\d{1,4}$/, 'number must be the digits shown on the sign-in page'), signature: z.string().min(1).max(200) });
const idParam = z.object({ id: z.uuid('unknown request') });
const waitQuery = z.object({ wait: z.coerce.number().int().min(0).max(MAX_WAIT_S).default(0) });

const ANSWER_STATUS: Record<AnswerResult, number> = {
  approved: 200, denied: 200, reported: 200, wrong_number: 400, bad_signature: 401, expired: 410, not_found: 404, already_answered: 409,
};
const ANSWER_MESSAGE: Partial<Record<AnswerResult, string>> = {
  wrong_number: 'that is not the number shown on the sign-in page; the request was refused',
  bad_signature: 'the approval signature does not verify with this device key',
  expired: 'the request expired',
  not_found: 'no such request for this authenticator',
  already_answered: 'the request was already answered',
};

function parseJson(body: string): unknown {
  if (!body) return {};
  try {
    return JSON.parse(body);
  } catch {
    throw badRequest('the body is not valid JSON');
  }
}

export async function pushProtocolRoutes(app: FastifyInstance): Promise<void> {
  const ctx = app.ctx;
  // The signature covers the exact bytes sent: keep the raw body (this context only).
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: 16 * 1024 }, (_req, body, done) => done(null, body));

  // Long polls end at once when the server shuts down.
  let stopping = false;
  app.addHook('preClose', async () => {
    stopping = true;
  });

  const raw = (request: FastifyRequest): string => (typeof request.body === 'string' ? request.body : '');

  async function device(request: FastifyRequest): Promise<AuthenticatedDevice> {
    const header = (name: string) => {
      const v = request.headers[name];
      return typeof v === 'string' ? v : undefined;
    };
    const result = await authenticateDevice(ctx.store.db, {
      method: request.method,
      pathAndQuery: request.url,
      body: raw(request),
      credentialId: header(HEADER_CREDENTIAL),
      timestamp: header(HEADER_TIMESTAMP),
      nonce: header(HEADER_NONCE),
      signature: header(HEADER_SIGNATURE),
    });
    if ('error' in result) throw new HttpError(401, 'unauthorized', result.error);
    // A method the policy disables cannot be used, even by an enrolled device.
    if (!(await methodUsable(ctx.store.db, 'push', result.userId))) throw new HttpError(403, 'method_disabled', 'push sign-in is turned off for this account by the methods policy');
    return result;
  }

  app.post(`${PREFIX}/enrol`, async (request, reply) => {
    const body = enrolBody.parse(parseJson(raw(request)));
    try {
      const cred = await completePushEnrolment(ctx.store, { ...body, platform: body.platform ?? null }, new Date(), (userId) => methodUsable(ctx.store.db, 'push', userId));
      return reply.status(201).send({ credentialId: cred.id, deviceId: cred.deviceId, label: cred.label, issuer: ctx.config.issuer });
    } catch (err) {
      if (err instanceof MethodError) throw badRequest(err.message, err.code);
      throw err;
    }
  });

  app.get(`${PREFIX}/device`, async (request) => {
    const d = await device(request);
    const user = await ctx.store.db.selectFrom('users').select('username').where('id', '=', d.userId).executeTakeFirst();
    return { credentialId: d.credentialId, deviceId: d.deviceId, username: user?.username ?? null, issuer: ctx.config.issuer };
  });

  app.get(`${PREFIX}/requests`, async (request) => {
    const d = await device(request);
    const { wait } = waitQuery.parse(request.query);
    await recordDeviceSeen(ctx.store.db, d.deviceId);
    const deadline = Date.now() + wait * 1000;
    let closed = false;
    request.raw.once('close', () => { closed = true; });
    // Any node may have stored the request: poll the store until one arrives or the wait ends.
    for (;;) {
      const pending = await pendingForUser(ctx.store.db, d.userId);
      if (pending.length || Date.now() >= deadline || closed || stopping) {
        const names = await appNames(ctx.store.db, pending);
        return {
          requests: pending.map((r) => ({
            id: r.id, nonce: r.nonce, app: appNameOf(names, r), ip: r.ip, location: r.location, createdAt: r.createdAt, expiresAt: r.expiresAt,
          })),
        };
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  });

  async function answer(request: FastifyRequest, run: (d: AuthenticatedDevice, id: string) => Promise<AnswerResult>) {
    const d = await device(request);
    const { id } = idParam.parse(request.params);
    const result = await run(d, id);
    const status = ANSWER_STATUS[result];
    if (status >= 400) throw new HttpError(status, result, ANSWER_MESSAGE[result] ?? result);
    return { result };
  }

  app.post(`${PREFIX}/requests/:id/approve`, async (request) => {
    const body = approveBody.parse(parseJson(raw(request)));
    return answer(request, (d, id) => approvePush(ctx.store, d, id, body.number, body.signature));
  });
  app.post(`${PREFIX}/requests/:id/deny`, async (request) => answer(request, (d, id) => denyPush(ctx.store, d, id, false)));
  app.post(`${PREFIX}/requests/:id/report`, async (request) => answer(request, (d, id) => denyPush(ctx.store, d, id, true)));

  webPushRoutes(app, PREFIX, device, (request) => parseJson(raw(request)));

  app.all(`${PREFIX}/*`, async () => {
    throw notFound('no such push protocol endpoint (see docs/push-protocol.md)');
  });
}
