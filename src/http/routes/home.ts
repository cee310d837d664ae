import type { FastifyInstance } from 'fastify';
import { html, page } from '../html.ts';
import { countActiveGlobalAdmins } from '../../directory/first-admin.ts';

/**
 * The front door: the address `npm start` prints. Before the first admin
 * exists it says how to finish set-up (the link with its one-time token is in
 * the server's output, never on a page anyone can open); after that it leads
 * people to signing in and their security page, and admins to the API docs.
 */
export async function homeRoutes(app: FastifyInstance): Promise<void> {
  app.get('/', async (_request, reply) => {
    const ready = (await countActiveGlobalAdmins(app.ctx.store)) > 0;
    const body = ready
      ? html`<h1>Tessera</h1>
<p>Sign in to see and manage how you sign in: your methods, devices and recent sign-ins.</p>
<p><a class="button" href="/account">Sign in</a></p>
<p class="hint">Lost your phone or security key? Report it on your security page, or ask your helpdesk for a Temporary Access Pass.</p>
<p class="hint">For administrators, the helpdesk and auditors: the <a href="/admin">admin console</a>. The admin API is described at <a href="/api/openapi.json">/api/openapi.json</a>; the README explains the <code>tessera</code> command.</p>`
      : html`<h1>Finish setting up Tessera</h1>
<p>No administrator exists yet. Open the set-up link the server printed when it started (it looks like <code>/setup?token=…</code> and works for an hour) and create the first administrator.</p>
<p class="hint">Lost the link? Restart the server: it prints a new one while no administrator exists.</p>`;
    return reply.type('text/html; charset=utf-8').send(page({ title: ready ? 'Welcome' : 'Set-up', body }));
  });
  // Browsers ask for this before anything else; the icon is an SVG the pages link to.
  app.get('/favicon.ico', async (_request, reply) => reply.redirect('/static/icon.svg', 301));
}
