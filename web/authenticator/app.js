// The Tessera Authenticator in the browser. It speaks only the documented
// protocol (docs/push-protocol.md). The device key is a non-extractable
// WebCrypto ECDSA P-256 key kept in IndexedDB; it never leaves this browser.
import { call, get, put, sign } from './protocol.js';
import { setUpNotifications, showWhenAsked, wantedRequest } from './notifications.js';
const ALG = { name: 'ECDSA', namedCurve: 'P-256' };
const $ = (id) => document.getElementById(id);

async function enrol(token, label) {
  const pair = await crypto.subtle.generateKey(ALG, false, ['sign', 'verify']);
  const jwk = await crypto.subtle.exportKey('jwk', pair.publicKey);
  const proof = await sign(pair.privateKey, ['tessera-push-enrol-v1', token].join('\n'));
  const res = await fetch('/push/v1/enrol', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ token, proof, label, platform: 'browser', publicKey: { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y } }),
  });
  const answer = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(answer.message || `server answered ${res.status}`);
  const device = { credentialId: answer.credentialId, label, privateKey: pair.privateKey };
  await put('device', device);
  return device;
}

function showRequest(device, r) {
  const box = document.createElement('form');
  box.className = 'push-request';
  box.dataset.request = r.id;
  const when = new Date(r.createdAt).toLocaleTimeString();
  box.innerHTML = `<h2>Are you signing in?</h2><p class="context"></p>
<label>Enter the number shown on the sign-in page<input name="number" inputmode="numeric" maxlength="2" required autocomplete="off"></label>
<button type="submit">Approve</button>
<button type="button" class="secondary" data-act="deny">No, deny</button>
<button type="button" class="secondary" data-act="report">Deny — this wasn't me</button>`;
  box.querySelector('.context').textContent = `${r.app || 'Tessera'} · from ${r.ip || 'unknown address'} (${r.location}) · ${when}`;
  const done = (text) => { box.replaceWith(Object.assign(document.createElement('p'), { textContent: text })); };
  box.addEventListener('submit', async (e) => {
    e.preventDefault();
    const number = box.elements.number.value.trim();
    try {
      const signature = await sign(device.privateKey, ['tessera-push-approve-v1', r.id, number, r.nonce].join('\n'));
      await call(device, 'POST', `/push/v1/requests/${r.id}/approve`, { number, signature });
      done('Approved. You can go back to the sign-in page.');
    } catch (err) {
      done(`Not approved: ${err.message}`);
    }
  });
  for (const b of box.querySelectorAll('button[data-act]')) {
    b.addEventListener('click', async () => {
      try {
        await call(device, 'POST', `/push/v1/requests/${r.id}/${b.dataset.act}`, {});
        done(b.dataset.act === 'report' ? 'Denied and reported. Your security team has been told; change your password.' : 'Denied.');
      } catch (err) {
        done(`Could not deny: ${err.message}`);
      }
    });
  }
  $('requests').append(box);
  if (r.id === wantedRequest()) box.elements.number.focus();
}

async function listen(device) {
  const shown = new Set();
  $('status').textContent = `Ready: ${device.label}. Keep this open to receive sign-in requests, or turn on notifications.`;
  setUpNotifications(device);
  for (let first = true; ; first = false) {
    try {
      const { requests } = await call(device, 'GET', '/push/v1/requests?wait=25');
      for (const r of requests) if (!shown.has(r.id)) { shown.add(r.id); showRequest(device, r); }
      if (first) showWhenAsked(requests);
    } catch (err) {
      $('status').textContent = `Cannot reach the server (${err.message}); retrying…`;
      await new Promise((resolve) => setTimeout(resolve, 5000));
    }
  }
}

// TOTP (RFC 6238) for accounts added by their secret: HMAC-SHA-1, 6 digits, 30 s.
function base32(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of text.replace(/[\s=]/g, '').toUpperCase()) {
    const v = alphabet.indexOf(c);
    if (v < 0) throw new Error('the secret must be base32');
    bits += v.toString(2).padStart(5, '0');
  }
  return new Uint8Array((bits.match(/.{8}/g) || []).map((b) => parseInt(b, 2)));
}
async function totp(secret) {
  const counter = Math.floor(Date.now() / 30000);
  const msg = new ArrayBuffer(8);
  new DataView(msg).setUint32(4, counter);
  const key = await crypto.subtle.importKey('raw', base32(secret), { name: 'HMAC', hash: 'SHA-1' }, false, ['sign']);
  const h = new Uint8Array(await crypto.subtle.sign('HMAC', key, msg));
  const o = h[19] & 15;
  const n = ((h[o] & 127) << 24) | (h[o + 1] << 16) | (h[o + 2] << 8) | h[o + 3];
  return String(n % 1e6).padStart(6, '0');
}
async function renderTotp() {
  const accounts = (await get('totp')) || [];
  const list = $('totp-list');
  list.replaceChildren();
  for (const a of accounts) {
    const li = document.createElement('li');
    li.textContent = `${a.name}: ${await totp(a.secret)}`;
    list.append(li);
  }
}

async function main() {
  $('totp-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      base32($('totp-secret').value);
      const accounts = (await get('totp')) || [];
      accounts.push({ name: $('totp-name').value.trim(), secret: $('totp-secret').value.replace(/\s/g, '').toUpperCase() });
      await put('totp', accounts);
      e.target.reset();
      await renderTotp();
    } catch (err) {
      $('status').textContent = err.message;
    }
  });
  await renderTotp();
  setInterval(renderTotp, 5000);
  if ('serviceWorker' in navigator) navigator.serviceWorker.register('/authenticator/sw.js', { scope: '/authenticator', type: 'module' }).catch(() => {});

  const token = new URLSearchParams(location.hash.slice(1)).get('enrol');
  let device = await get('device');
  if (token) {
    history.replaceState(null, '', location.pathname);
    $('enrol').hidden = false;
    $('status').textContent = device ? 'This browser already has a device key; adding it again replaces it.' : 'Name this device to add it.';
    $('enrol-form').addEventListener('submit', async (e) => {
      e.preventDefault();
      try {
        device = await enrol(token, $('device-label').value.trim() || 'My phone');
        $('enrol').hidden = true;
        listen(device);
      } catch (err) {
        $('status').textContent = `Could not add this device: ${err.message}`;
      }
    }, { once: true });
    return;
  }
  if (!device) {
    $('status').textContent = 'This browser is not set up yet. On your account page choose "Add an authenticator" and open the link or scan the code.';
    return;
  }
  listen(device);
}

main();
