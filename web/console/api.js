// The console talks to the admin API with the person's console session: the
// cookie goes by itself, and every change carries the CSRF token the session
// call handed out. A 401 means the console session ended (a pause, the sign-in
// frequency, a sign-out elsewhere): the person is sent to sign in again and
// brought back to the page they were on.

let csrf = '';

export class ApiError extends Error {
  constructor(status, message, body) {
    super(message);
    this.status = status;
    this.body = body;
  }
}

export function signInAgain() {
  const here = location.pathname.startsWith('/admin') ? location.pathname : '/admin';
  location.assign(`/admin/login?return=${encodeURIComponent(here)}`);
}

async function call(url, method, body) {
  const headers = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET') headers['x-csrf-token'] = csrf;
  const res = await fetch(url, { method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body) });
  if (res.status === 401) {
    signInAgain();
    throw new ApiError(401, 'Your console session has ended. Taking you to sign in again…');
  }
  if (res.status === 204) return null;
  const data = await res.json().catch(() => ({}));
  if (!res.ok) throw new ApiError(res.status, readable(data), data);
  return data;
}

/** The API's own message, with the fields a validation error names. */
function readable(data) {
  const issues = Array.isArray(data?.issues) ? data.issues.map((i) => `${(i.path ?? []).join('.') || 'input'}: ${i.message}`) : [];
  return [data?.message ?? 'Something went wrong. Try again.', ...issues].join(' — ');
}

export async function loadSession() {
  const session = await call('/admin/api/session', 'GET');
  csrf = session.csrf;
  return session;
}

export const api = {
  get: (path, query) => call(`/api/admin${path}${query ? `?${new URLSearchParams(clean(query))}` : ''}`, 'GET'),
  post: (path, body) => call(`/api/admin${path}`, 'POST', body ?? {}),
  put: (path, body) => call(`/api/admin${path}`, 'PUT', body ?? {}),
  patch: (path, body) => call(`/api/admin${path}`, 'PATCH', body ?? {}),
  del: (path) => call(`/api/admin${path}`, 'DELETE'),
  signOut: () => call('/admin/logout', 'POST'),
};

function clean(query) {
  return Object.fromEntries(Object.entries(query).filter(([, v]) => v !== undefined && v !== null && v !== ''));
}
