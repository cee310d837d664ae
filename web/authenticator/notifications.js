// The "Notifications" part of the authenticator page: turning Web Push on and
// off in plain words, and opening the request a notification was about.
import { get, put } from './protocol.js';
import { subscribe, subscribed, unsubscribe, webPushSupported } from './webpush.js';

const $ = (id) => document.getElementById(id);
const REQUEST = /^request=([0-9a-f-]{36})$/;
const BLOCKED = 'Notifications are blocked for this app. Allow them in the browser\'s site settings, or keep the app open to see sign-in requests.';
const ON = 'Notifications are on: a sign-in request shows up even when this app is closed.';

// Opened from a notification: /authenticator#request=<id>. The hash is taken off the address bar.
let wanted = REQUEST.exec(location.hash.slice(1))?.[1] ?? null;
if (wanted) history.replaceState(null, '', location.pathname);

export const wantedRequest = () => wanted;

function focusRequest(id) {
  wanted = id;
  document.querySelector(`form.push-request[data-request="${id}"] input[name=number]`)?.focus();
}

/** After the first answer from the server: say so when the request a notification named is no longer waiting. */
export function showWhenAsked(requests) {
  if (wanted && !requests.some((r) => r.id === wanted)) $('notify-request').textContent = 'That sign-in request was already answered or has expired.';
}

function show(state, text) {
  $('notify').hidden = false;
  $('notify-text').textContent = text;
  $('notify-on').hidden = state !== 'off';
  $('notify-off').hidden = state !== 'on';
}

// The browser's own push service may be out of reach; say so instead of waiting for ever.
const SUBSCRIBE_PATIENCE_MS = 20_000;

function withPatience(promise) {
  let timer;
  const late = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error('the browser\'s push service did not answer; keep the app open to see sign-in requests')), SUBSCRIBE_PATIENCE_MS);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

async function turnOn(device, registration) {
  const permission = await Notification.requestPermission();
  if (permission !== 'granted') return show('blocked', BLOCKED);
  show('busy', 'Turning on notifications…');
  await withPatience(subscribe(device, registration));
  await put('notifications', 'on');
  show('on', ON);
}

async function turnOff(device, registration) {
  await unsubscribe(device, registration);
  await put('notifications', 'off');
  show('off', 'Notifications are off. Keep the app open to see sign-in requests.');
}

function failed(err) {
  if (err.code === 'web_push_off') return show('none', 'This server does not send notifications. Keep the app open to see sign-in requests.');
  show('off', `Could not turn notifications on or off: ${err.message}.`);
}

/** Shows the notification controls; while notifications are on, sends the subscription again (the server may have a new device key for this browser). */
export async function setUpNotifications(device) {
  navigator.serviceWorker?.addEventListener('message', (e) => {
    const id = e.data?.type === 'show-request' ? REQUEST.exec(new URL(e.data.url).hash.slice(1))?.[1] : null;
    if (id) focusRequest(id);
  });
  if (!webPushSupported() || !('serviceWorker' in navigator)) return show('none', 'This browser cannot show notifications for the app. Keep it open to see sign-in requests.');
  const registration = await navigator.serviceWorker.ready;
  $('notify-on').onclick = () => turnOn(device, registration).catch(failed);
  $('notify-off').onclick = () => turnOff(device, registration).catch(failed);
  if (Notification.permission === 'denied') return show('blocked', BLOCKED);
  if (Notification.permission === 'granted' && (await get('notifications')) === 'on' && (await subscribed(registration))) {
    show('on', ON);
    return subscribe(device, registration).catch(failed);
  }
  show('off', 'Get a notification when a sign-in needs you, even when this app is closed.');
}
