import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { createFirstAdmin, setupTokenIsUsable, SetupError } from '../../directory/first-admin.ts';
import { DuplicateUserError } from '../../directory/users.ts';
import { getWebauthnSettings } from '../../methods/webauthn/settings.ts';
import type { Db } from '../../store/store.ts';
import { html, page, type SafeHtml } from '../html.ts';

const formSchema = z.object({
  token: z.string().max(200),
  username: z.string().max(200),
  email: z.string().max(254).optional(),
  display_name: z.string().max(200).optional(),
  password: z.string().max(1024),
  password_confirm: z.string().max(1024),
});

/**
 * What the first sign-in will ask of the new admin, said before the account
 * exists: admins must use a security key or passkey (unless that setting was
 * turned off before set-up), and finding that out at the sign-in, without
 * one at hand, would leave the only admin stuck.
 */
async function secondFactorNotice(db: Db): Promise<SafeHtml> {
  const { adminsRequirePhishingResistant } = await getWebauthnSettings(db);
  if (!adminsRequirePhishingResistant) {
    return html`<p id="second-factor">This account will hold the global admin role. When you first sign in you will be asked to add a second factor:
an authenticator app, a passkey or a security key.</p>`;
  }
  return html`<section id="second-factor" aria-labelledby="second-factor-title">
<h2 id="second-factor-title">Before you start: you need a passkey or a security key</h2>
<p>This account will hold the global admin role. Administrators sign in with a passkey or a security key, because these cannot be phished.
An authenticator app or a text message is not enough for an admin. Right after the password, your first sign-in asks you to create one.</p>
<ul>
<li><strong>A passkey</strong>: most computers and phones can make one (Windows Hello, Touch ID or Face ID on a Mac, iPhone or iPad,
the screen lock of an Android phone), and so can a password manager that keeps passkeys.</li>
<li><strong>A security key</strong>: a FIDO2 key that you plug in (USB) or hold to the device (NFC).</li>
</ul>
<p>If you have neither, you can still create the account now. The sign-in waits at &ldquo;Set up a security key or passkey&rdquo; until you have one,
and signing in again with your password brings you back there. Then sign in on a computer or phone that can make a passkey, let the browser use
your phone when it offers to, or get a FIDO2 security key.</p>
<p>Once you are in, add a second key or passkey on your security page, and make a second administrator:
with one key and one admin, losing that key can lock everyone out.</p>
</section>`;
}

function form(reply: FastifyReply, token: string, values: Partial<z.infer<typeof formSchema>>, notice: SafeHtml, error?: string) {
  return reply.type('text/html; charset=utf-8').send(
    page({
      title: 'Set up Tessera',
      body: html`<h1>Create the first administrator</h1>
${notice}
${error ? html`<p class="error" role="alert">${error}</p>` : ''}
<form method="post" action="/setup">
<input type="hidden" name="token" value="${token}">
<label for="username">Username</label>
<input id="username" name="username" autocomplete="username" required value="${values.username ?? ''}">
<label for="email">Email</label>
<input id="email" name="email" type="email" autocomplete="email" value="${values.email ?? ''}">
<label for="display_name">Display name</label>
<input id="display_name" name="display_name" autocomplete="name" value="${values.display_name ?? ''}">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="new-password" required minlength="15" aria-describedby="pw-hint">
<p class="hint" id="pw-hint">At least 15 characters. A few unrelated words work well. Common passwords are refused.</p>
<label for="password_confirm">Password again</label>
<input id="password_confirm" name="password_confirm" type="password" autocomplete="new-password" required>
<button type="submit">Create administrator</button>
</form>`,
    }),
  );
}

/** The one-time first-admin page reached from the link printed at first start. */
export async function setupRoutes(app: FastifyInstance): Promise<void> {
  app.get<{ Querystring: { token?: string } }>('/setup', async (request, reply) => {
    const token = typeof request.query.token === 'string' ? request.query.token : '';
    if (!(await setupTokenIsUsable(app.ctx.store, token))) {
      return reply.status(400).type('text/html; charset=utf-8').send(
        page({
          title: 'Set-up link not valid',
          body: html`<h1>This set-up link cannot be used</h1>
<p class="error" role="alert">It is unknown, expired or already used.</p>
<p>If no administrator exists yet, restart the server: it prints a fresh link.</p>`,
        }),
      );
    }
    return form(reply, token, {}, await secondFactorNotice(app.ctx.store.db));
  });

  app.post('/setup', async (request, reply) => {
    const parsed = formSchema.safeParse(request.body);
    if (!parsed.success) return reply.status(400).send({ error: 'invalid_request', message: 'the form is incomplete' });
    const values = parsed.data;
    const notice = await secondFactorNotice(app.ctx.store.db);
    if (values.password !== values.password_confirm) {
      return form(reply.status(400), values.token, values, notice, 'The two passwords differ.');
    }
    try {
      const user = await createFirstAdmin(
        app.ctx.store,
        {
          token: values.token,
          username: values.username,
          email: values.email || null,
          displayName: values.display_name || null,
          password: values.password,
          issuer: app.ctx.config.issuer,
        },
        request.id,
      );
      request.log.info({ user_id: user.id }, 'first global admin created');
      const { adminsRequirePhishingResistant } = await getWebauthnSettings(app.ctx.store.db);
      return reply.type('text/html; charset=utf-8').send(
        page({
          title: 'Administrator created',
          body: html`<h1>Administrator created</h1>
<p class="notice" role="status">${user.username} is now a global admin. This set-up link no longer works.</p>
${adminsRequirePhishingResistant ? html`<p>Have your passkey or security key ready: right after your password, the sign-in asks you to create one.</p>` : ''}
<p><a class="button" href="/admin">Open the admin console</a> <a class="button secondary" href="/account">Your security page</a></p>`,
        }),
      );
    } catch (err) {
      if (err instanceof SetupError || err instanceof DuplicateUserError) {
        return form(reply.status(400), values.token, values, notice, err.message);
      }
      if (err instanceof z.ZodError) {
        const issue = err.issues[0];
        return form(reply.status(400), values.token, values, notice, `${issue?.path.join('.') || 'input'}: ${issue?.message}`);
      }
      throw err;
    }
  });
}
