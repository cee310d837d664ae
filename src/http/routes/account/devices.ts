import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { html, page, type SafeHtml } from '../../html.ts';
import { getDevice, listDevices, type Device } from '../../../directory/devices.ts';
import { listUserMethods, type UserCredential } from '../../../methods/list.ts';
import { hasRecentAuth } from '../../../signin/step-up.ts';
import { DirectoryError } from '../../../directory/errors.ts';
import { bindMethodToDevice, credentialsOnDevice, presentBoundTables, reportDeviceLost, type BoundCredential } from '../../../recovery/devices/index.ts';
import { notFound } from '../../errors.ts';
import { toHttpError } from '../admin/operation.ts';
import { clearSessionCookie } from '../signin/cookies.ts';
import { formCsrfValid, portalAuth, requirePortalSession, requireRecentAuth, signinRedirect } from './guard.ts';

const deviceParams = z.object({ id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'unknown device') });
const bindBody = z.object({ type: z.string().min(1).max(32), credentialId: z.string().min(1).max(128) });

type DeviceRow = Device & { methods: BoundCredential[]; bindable: UserCredential[] };
const when = (iso: string | null) => (iso ? iso.replace('T', ' ').slice(0, 16) + ' UTC' : '—');

function send(reply: FastifyReply, title: string, body: SafeHtml, status = 200) {
  return reply.status(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(page({ title, body }));
}

function bindForm(d: DeviceRow, csrf: string): SafeHtml | string {
  if (d.status !== 'active' || !d.bindable.length) return '';
  return html`<form method="post" action="/account/devices/${d.id}/methods"><input type="hidden" name="csrf" value="${csrf}">
<label for="bind-${d.id}">A method on this device</label>
<select id="bind-${d.id}" name="method">${d.bindable.map((m) => html`<option value="${m.type}:${m.id}">${m.label}</option>`)}</select>
<button type="submit" class="secondary">It is on this device</button></form>`;
}

function devicesView(devices: DeviceRow[], csrf: string, error?: string, notice?: string): SafeHtml {
  return html`<h1>Your devices</h1>
${error ? html`<p class="error" role="alert">${error}</p>` : ''}
${notice ? html`<p class="notice" role="status">${notice}</p>` : ''}
<p>Lost a phone or had it stolen? Report it here at once: the sign-in methods on it stop working and you are signed out everywhere. Then call your helpdesk to get back in.</p>
<table aria-label="Your devices">
<thead><tr><th scope="col">Device</th><th scope="col">Status</th><th scope="col">Sign-in methods on it</th><th scope="col">Last seen</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
<tbody>
${devices.map(
  (d) => html`<tr><td>${d.label}${d.platform ? html` <span class="hint">(${d.platform})</span>` : ''}</td><td>${d.status}</td>
<td>${d.methods.map((m) => m.label ?? m.type).join(', ') || '—'}${bindForm(d, csrf)}</td><td>${when(d.lastSeenAt)}</td>
<td>${d.status === 'active' ? html`<form method="post" action="/account/devices/${d.id}/lost">
<input type="hidden" name="csrf" value="${csrf}"><button type="submit" class="danger" aria-label="Report ${d.label} lost">Report lost</button></form>` : ''}</td></tr>`,
)}
</tbody>
</table>
${devices.length ? '' : html`<p class="hint">No devices are registered for you.</p>`}
<p><a href="/account">Back to your security</a></p>`;
}

function reportedView(label: string): SafeHtml {
  return html`<h1>Device reported lost</h1>
<p class="notice" role="status">${label} is marked lost. The sign-in methods on it no longer work, and you are signed out everywhere, on every app.</p>
<p>If it was your only way to sign in, contact your helpdesk: after checking who you are, they will give you a Temporary Access Pass to set up a new device.</p>
<p><a class="button" href="/account">Sign in again</a></p>`;
}

/**
 * The user's devices on the self-service page, and "report lost". Reporting
 * a loss protects the account, so it needs a session and the form's CSRF
 * token but not a fresh second factor: the person may have just lost it.
 */
export async function accountDeviceRoutes(app: FastifyInstance): Promise<void> {
  const ctx = app.ctx;

  async function mine(userId: string): Promise<DeviceRow[]> {
    const tables = await presentBoundTables(ctx.store.db);
    const devices = await listDevices(ctx.store.db, { userId, limit: 500 });
    const credentials = (await listUserMethods(ctx.store.db, userId)).filter((m) => tables.some((t) => t.method === m.type));
    const out: DeviceRow[] = [];
    for (const d of devices.filter((x) => x.status !== 'retired')) {
      const methods = await credentialsOnDevice(ctx.store.db, tables, d.id, userId);
      out.push({ ...d, methods, bindable: credentials.filter((c) => !methods.some((m) => m.id === c.id)) });
    }
    return out;
  }

  /** Says which device holds one of the user's own credentials, so losing that device revokes it. */
  async function bind(userId: string, deviceId: string, type: string, credentialId: string, requestId: string) {
    const device = await getDevice(ctx.store.db, deviceId).catch(() => null);
    if (!device || device.userId !== userId) throw notFound('no such device of yours');
    return bindMethodToDevice(ctx.store, { deviceId, type, credentialId }, { actor: `user:${userId}`, requestId });
  }

  async function report(userId: string, id: string, requestId: string) {
    try {
      return await reportDeviceLost(ctx, id, { actor: `user:${userId}`, requestId, reportedBy: 'user', ownerId: userId });
    } catch (err) {
      if (err instanceof DirectoryError) throw notFound('no such device of yours');
      throw err;
    }
  }

  app.get('/account/devices', async (request, reply) => {
    const a = await portalAuth(ctx, request);
    if (!a) return signinRedirect(reply, '/account/devices');
    return send(reply, 'Your devices', devicesView(await mine(a.session.userId), a.csrf));
  });

  app.post('/account/devices/:id/lost', async (request, reply) => {
    const a = await portalAuth(ctx, request);
    if (!a) return signinRedirect(reply, '/account/devices');
    const { id } = deviceParams.parse(request.params);
    if (!formCsrfValid(ctx, request)) return send(reply, 'Your devices', devicesView(await mine(a.session.userId), a.csrf, 'That form expired. Please try again.'), 403);
    const result = await report(a.session.userId, id, request.id);
    // This session was revoked with all the others.
    clearSessionCookie(reply, ctx.config);
    return send(reply, 'Device reported lost', reportedView(result.device.label));
  });

  // Binding changes what a lost device takes with it: like other method changes, it needs a recent second factor.
  app.post('/account/devices/:id/methods', async (request, reply) => {
    const a = await portalAuth(ctx, request);
    if (!a) return signinRedirect(reply, '/account/devices');
    const { id } = deviceParams.parse(request.params);
    if (!formCsrfValid(ctx, request)) return send(reply, 'Your devices', devicesView(await mine(a.session.userId), a.csrf, 'That form expired. Please try again.'), 403);
    if (!(await hasRecentAuth(ctx, a.session))) return signinRedirect(reply, '/account/devices', true);
    const chosen = String((request.body as Record<string, unknown> | undefined)?.method ?? '');
    const i = chosen.indexOf(':');
    if (i < 1) return send(reply, 'Your devices', devicesView(await mine(a.session.userId), a.csrf, 'Choose a method.'), 400);
    try {
      await bind(a.session.userId, id, chosen.slice(0, i), chosen.slice(i + 1), request.id);
    } catch (err) {
      if (!(err instanceof DirectoryError)) throw err;
      return send(reply, 'Your devices', devicesView(await mine(a.session.userId), a.csrf, err.message), 400);
    }
    return send(reply, 'Your devices', devicesView(await mine(a.session.userId), a.csrf, undefined, 'Saved: if you report that device lost, this method stops working.'));
  });

  app.post('/api/me/devices/:id/methods', async (request) => {
    const { session } = await requirePortalSession(ctx, request, true);
    await requireRecentAuth(ctx, session);
    const { id } = deviceParams.parse(request.params);
    const body = bindBody.parse(request.body);
    try {
      return await bind(session.userId, id, body.type, body.credentialId, request.id);
    } catch (err) {
      throw err instanceof DirectoryError ? toHttpError(err) : err;
    }
  });

  app.get('/api/me/devices', async (request) => {
    const { session } = await requirePortalSession(ctx, request, false);
    return { devices: await mine(session.userId) };
  });

  app.post('/api/me/devices/:id/lost', async (request, reply) => {
    const { session } = await requirePortalSession(ctx, request, true);
    const { id } = deviceParams.parse(request.params);
    const r = await report(session.userId, id, request.id);
    clearSessionCookie(reply, ctx.config);
    return { device: r.device, removedMethods: r.removedMethods, sessionsRevoked: r.sessions };
  });
}
