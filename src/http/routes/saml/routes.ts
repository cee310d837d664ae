import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ensureSamlKeys, publishedKeys } from '../../../protocols/saml/keys.ts';
import { idpEntity, type PublishedKeys } from '../../../protocols/saml/idp.ts';
import { acceptAuthnRequest, deleteExpiredRequests, MAX_SAML_MESSAGE_CHARS, SamlRequestError, type IncomingRequest } from '../../../protocols/saml/requests.ts';
import { continueSaml } from './continue.ts';
import { singleLogout } from './logout.ts';
import { appsPage, launch, launchParams, launchQuery } from './apps.ts';
import { samlProblem } from './pages.ts';

/**
 * The SAML identity provider's endpoints: /saml/metadata, /saml/sso (an
 * AuthnRequest by the Redirect or the POST binding), /saml/continue/<handle>,
 * where a stored request is answered once the person is signed in,
 * /saml/slo (a LogoutRequest by the Redirect binding), and /saml/apps with
 * /saml/launch/<name> for IdP-initiated sign-in.
 */
const message = z.string().min(1).max(MAX_SAML_MESSAGE_CHARS, 'the SAML request is too large');
const ssoInput = z.object({
  SAMLRequest: message,
  RelayState: z.string().max(1024, 'RelayState is longer than 1024 characters').optional(),
  SigAlg: z.string().max(256).optional(),
  Signature: z.string().max(4096).optional(),
});
const handleParam = z.object({ handle: z.string().regex(/^[A-Za-z0-9_-]{32}$/) });
const BAD = 'This sign-in request cannot be used';

/** The raw query parameters as sent: a Redirect-binding signature covers their encoded form. */
function octetString(rawUrl: string): string {
  const query = rawUrl.split('?')[1] ?? '';
  const parts = new Map(query.split('&').map((p) => [p.split('=')[0] ?? '', p] as const));
  return ['SAMLRequest', 'RelayState', 'SigAlg'].map((n) => parts.get(n)).filter(Boolean).join('&');
}

export async function samlRoutes(app: FastifyInstance): Promise<void> {
  const ctx = app.ctx;
  const sweep = setInterval(() => {
    deleteExpiredRequests(ctx.store.db).catch((err: unknown) => ctx.logger.warn({ err }, 'SAML request housekeeping failed'));
  }, 5 * 60_000);
  sweep.unref();
  app.addHook('onClose', async () => clearInterval(sweep));

  async function signingKeys(): Promise<PublishedKeys> {
    const keys = await publishedKeys(ctx.store.db, ctx.secrets);
    if (keys) return keys;
    await ensureSamlKeys(ctx.store, ctx.secrets, ctx.config.issuer);
    return (await publishedKeys(ctx.store.db, ctx.secrets))!;
  }

  app.get('/saml/metadata', async (_request, reply) => {
    const metadata = idpEntity(ctx.config.issuer, await signingKeys()).getMetadata();
    return reply.type('application/samlmetadata+xml; charset=utf-8').send(metadata);
  });

  async function sso(request: FastifyRequest, reply: FastifyReply, input: unknown, binding: IncomingRequest['binding']): Promise<FastifyReply> {
    const parsed = ssoInput.safeParse(input);
    if (!parsed.success) {
      const tooLarge = parsed.error.issues.some((i) => i.code === 'too_big' && i.path[0] === 'SAMLRequest');
      return samlProblem(reply, tooLarge ? 413 : 400, BAD, tooLarge ? 'The SAML request is too large.' : 'The app sent no valid SAML request (SAMLRequest is missing).');
    }
    const q = parsed.data;
    const incoming: IncomingRequest = binding === 'redirect'
      ? { binding, samlRequest: q.SAMLRequest, relayState: q.RelayState, sigAlg: q.SigAlg, signature: q.Signature, octetString: octetString(request.raw.url ?? '') }
      : { binding, samlRequest: q.SAMLRequest, relayState: q.RelayState };
    try {
      const { handle } = await acceptAuthnRequest(ctx.store.db, ctx.config.issuer, await signingKeys(), incoming);
      return reply.redirect(`/saml/continue/${handle}`, 303);
    } catch (err) {
      if (err instanceof SamlRequestError) return samlProblem(reply, 400, BAD, `${err.message.charAt(0).toUpperCase()}${err.message.slice(1)}.`);
      throw err;
    }
  }

  app.get('/saml/sso', (request, reply) => sso(request, reply, request.query, 'redirect'));
  app.post('/saml/sso', (request, reply) => sso(request, reply, request.body, 'post'));

  app.get('/saml/slo', async (request, reply) => {
    const parsed = ssoInput.safeParse(request.query);
    if (!parsed.success) {
      const tooLarge = parsed.error.issues.some((i) => i.code === 'too_big' && i.path[0] === 'SAMLRequest');
      return samlProblem(reply, tooLarge ? 413 : 400, 'This sign-out request cannot be used', tooLarge ? 'The SAML request is too large.' : 'The app sent no valid logout request (SAMLRequest is missing).');
    }
    const q = parsed.data;
    return singleLogout(ctx, request, reply, {
      samlRequest: q.SAMLRequest, relayState: q.RelayState, sigAlg: q.SigAlg, signature: q.Signature, octetString: octetString(request.raw.url ?? ''),
    }, await signingKeys());
  });

  app.get('/saml/apps', (request, reply) => appsPage(ctx, request, reply));
  app.get('/saml/launch/:name', async (request, reply) => {
    const params = launchParams.safeParse(request.params);
    const query = launchQuery.safeParse(request.query);
    if (!params.success) return samlProblem(reply, 404, 'No such app', 'There is no app of that name here. Go to your apps and choose one.');
    if (!query.success) return samlProblem(reply, 400, 'This link cannot be used', 'The link carries a RelayState longer than 1024 characters.');
    return launch(ctx, request, reply, params.data.name, query.data);
  });

  app.get('/saml/continue/:handle', async (request, reply) => {
    const parsed = handleParam.safeParse(request.params);
    if (!parsed.success) return samlProblem(reply, 404, 'Sign-in expired', 'This sign-in link is not valid. Go back to the app and sign in again.');
    return continueSaml(ctx, request, reply, parsed.data.handle, (await signingKeys()).active);
  });
}
