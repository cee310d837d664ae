import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { html } from '../../html.ts';
import { branding } from '../../branding.ts';
import { authenticateConsole } from './authenticate.ts';
import { csrfToken } from './sessions.ts';
import { CONSOLE_TEXT } from './texts.ts';

/**
 * The console is a browser app on the admin API (web/console/): one page shell
 * for every /admin path, ES modules from /console/, no inline script or style,
 * so the strict CSP holds. Every call it makes is an admin API operation with
 * this person's console session, so what the console can do and who may do it
 * are declared once, in the operations (src/http/routes/admin/).
 */
function shell(): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${CONSOLE_TEXT.appName}</title>
<link rel="stylesheet" href="/static/tessera.css">
<link rel="stylesheet" href="/console/console.css">
<link rel="icon" href="/static/icon.svg" type="image/svg+xml">
<script type="module" src="/console/app.js"></script>
</head>
<body class="console">
<a class="skip" href="#main">Skip to content</a>
<div id="app" aria-live="polite"><p class="loading">Loading the admin console…</p></div>
<noscript><p>The admin console needs JavaScript. The same operations are in the admin API and the command line.</p></noscript>
</body>
</html>`.value;
}

async function sendShell(_request: FastifyRequest, reply: FastifyReply) {
  return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(shell());
}

/** Who is signed in, what they may do, and the CSRF token for changes: the console asks this once per page load. */
async function session(request: FastifyRequest, reply: FastifyReply) {
  const principal = await authenticateConsole(request, reply, { csrf: false });
  const { config } = request.server.ctx;
  reply.header('cache-control', 'no-store');
  return {
    user: { id: principal.id, username: principal.username },
    roles: principal.roles,
    permissions: principal.permissions,
    csrf: csrfToken(config, principal.consoleSessionId),
    organisation: branding(config),
  };
}

export async function consoleShellRoutes(app: FastifyInstance): Promise<void> {
  app.get('/admin', sendShell);
  app.get('/admin/*', sendShell);
  app.get('/admin/api/session', session);
}
