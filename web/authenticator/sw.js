// The authenticator's service worker: keeps the shell available offline, and
// shows a notification when the server says (Web Push) that a sign-in request
// waits. The message holds no number: the app fetches the request itself.
import { get } from './protocol.js';
import { subscribe } from './webpush.js';

const CACHE = 'tessera-authenticator-v2';
const SHELL = ['/authenticator', '/authenticator/app.js', '/authenticator/protocol.js', '/authenticator/webpush.js', '/authenticator/notifications.js', '/authenticator/manifest.webmanifest', '/authenticator/icon.svg', '/static/tessera.css'];
const REQUEST_ID = /^[0-9a-f-]{36}$/;

self.addEventListener('install', (e) => e.waitUntil(caches.open(CACHE).then((c) => c.addAll(SHELL))));
self.addEventListener('activate', (e) => e.waitUntil(caches.keys().then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))));
self.addEventListener('fetch', (e) => {
  const url = new URL(e.request.url);
  if (e.request.method !== 'GET' || !SHELL.includes(url.pathname)) return;
  e.respondWith(fetch(e.request).catch(() => caches.match(e.request)));
});

function readNotice(data) {
  try {
    const n = data ? data.json() : null;
    if (n && n.type === 'signin-request' && REQUEST_ID.test(n.requestId)) return { requestId: n.requestId, app: typeof n.app === 'string' && n.app ? n.app.slice(0, 128) : null };
  } catch {
    // Not ours, or garbled: still tell the person to look (a push must show a notification).
  }
  return null;
}

self.addEventListener('push', (e) => {
  const notice = readNotice(e.data);
  const title = `Sign-in request for ${notice?.app ?? 'your account'} — open to answer`;
  e.waitUntil(self.registration.showNotification(title, {
    body: 'Approve it only if you are signing in yourself right now.',
    tag: notice ? `signin-${notice.requestId}` : 'signin',
    icon: '/authenticator/icon.svg',
    requireInteraction: true,
    data: { url: notice ? `/authenticator#request=${notice.requestId}` : '/authenticator' },
  }));
});

self.addEventListener('notificationclick', (e) => {
  e.notification.close();
  const url = new URL(e.notification.data?.url ?? '/authenticator', self.location.origin).href;
  e.waitUntil((async () => {
    const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
    const open = windows.find((w) => new URL(w.url).pathname === '/authenticator');
    if (!open) return self.clients.openWindow(url);
    open.postMessage({ type: 'show-request', url });
    return open.focus();
  })());
});

// The browser renewed or dropped the subscription: subscribe again and tell the server.
self.addEventListener('pushsubscriptionchange', (e) => {
  e.waitUntil((async () => {
    const device = await get('device');
    if (device && (await get('notifications')) === 'on') await subscribe(device, self.registration);
  })());
});
