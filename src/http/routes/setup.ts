import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { createFirstAdmin, setupTokenIsUsable, SetupError } from '../../directory/first-admin.ts';
import { DuplicateUserError } from '../../directory/users.ts';
import { html, page } from '../html.ts';

const formSchema = z.object({
  token: z.string().max(200),
  username: z.string().max(200),
  email: z.string().max(254).optional(),
  display_name: z.string().max(200).optional(),
  password: z.string().max(1024),
  password_confirm: z.string().max(1024),
});

function form(reply: FastifyReply, token: string, values: Partial<z.infer<typeof formSchema>>, error?: string) {
  return reply.type('text/html; charset=utf-8').send(
    page({
      title: 'Set up Tessera',
      body: html`<h1>Create the first administrator</h1>
<p>This account will hold the global admin role. You will be asked to add a second factor when you first sign in.</p>
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
    return form(reply, token, {});
  });

  app.post('/setup', async (request, reply) => {
    const parsed = formSchema.safeParse(request.body);
    if (!parsed.success) return reply.status(400).send({ error: 'invalid_request', message: 'the form is incomplete' });
    const values = parsed.data;
    if (values.password !== values.password_confirm) {
      return form(reply.status(400), values.token, values, 'The two passwords differ.');
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
      return reply.type('text/html; charset=utf-8').send(
        page({
          title: 'Administrator created',
          body: html`<h1>Administrator created</h1>
<p class="notice" role="status">${user.username} is now a global admin. This set-up link no longer works.</p>
<p><a class="button" href="/account">Sign in</a></p>`,
        }),
      );
    } catch (err) {
      if (err instanceof SetupError || err instanceof DuplicateUserError) {
        return form(reply.status(400), values.token, values, err.message);
      }
      if (err instanceof z.ZodError) {
        const issue = err.issues[0];
        return form(reply.status(400), values.token, values, `${issue?.path.join('.') || 'input'}: ${issue?.message}`);
      }
      throw err;
    }
  });
}
