// The push protocol as the browser authenticator speaks it (docs/push-protocol.md):
// the device key in IndexedDB and signed calls. Shared by the page (app.js) and
// the service worker (sw.js), which both act for the same device.
const enc = new TextEncoder();
export const b64url = (buf) => btoa(String.fromCharCode(...new Uint8Array(buf))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
export const fromB64url = (text) => Uint8Array.from(atob(text.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));

function db() {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open('tessera-authenticator', 1);
    req.onupgradeneeded = () => req.result.createObjectStore('kv');
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}
export async function get(key) {
  const d = await db();
  return new Promise((resolve, reject) => {
    const r = d.transaction('kv').objectStore('kv').get(key);
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}
export async function put(key, value) {
  const d = await db();
  return new Promise((resolve, reject) => {
    const tx = d.transaction('kv', 'readwrite');
    tx.objectStore('kv').put(value, key);
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
  });
}

export async function sign(privateKey, text) {
  return b64url(await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, privateKey, enc.encode(text)));
}
async function digest(text) {
  return b64url(await crypto.subtle.digest('SHA-256', enc.encode(text)));
}

/** A signed protocol call: method, path and query, timestamp, a fresh nonce and body digest, signed with the device key. */
export async function call(device, method, path, body) {
  const text = body === undefined ? '' : JSON.stringify(body);
  const ts = String(Date.now());
  // The server accepts each signed request once: a new random nonce for every call.
  const nonce = b64url(crypto.getRandomValues(new Uint8Array(18)));
  const toSign = ['tessera-push-v1', method, path, ts, nonce, await digest(text)].join('\n');
  const headers = {
    accept: 'application/json',
    'x-tessera-credential': device.credentialId,
    'x-tessera-timestamp': ts,
    'x-tessera-nonce': nonce,
    'x-tessera-signature': await sign(device.privateKey, toSign),
  };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : text });
  const answer = await res.json().catch(() => ({}));
  if (!res.ok) throw Object.assign(new Error(answer.message || `server answered ${res.status}`), { status: res.status, code: answer.error });
  return answer;
}
