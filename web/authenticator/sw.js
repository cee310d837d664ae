// Keeps the authenticator's shell available offline; requests to the server always go to the network.
const CACHE = 'tessera-authenticator-v1';
const SHELL = ['/authenticator', '/authenticator/app.js', '/authenticator/manifest.webmanifest', '/authenticator/icon.svg', '/static/tessera.css'];
self.addEventListener('install', (e) => e.waitUntil(caches.open(CACHE).then((c) => c.addAll(SHELL))));
self.addEventListener('fetch', (e) => {
  const url = new URL(e.request.url);
  if (e.request.method !== 'GET' || !SHELL.includes(url.pathname)) return;
  e.respondWith(fetch(e.request).catch(() => caches.match(e.request)));
});
