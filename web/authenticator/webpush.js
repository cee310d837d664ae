// Web Push for the authenticator: a subscription with the server's VAPID key,
// sent to the server over the signed protocol, so a sign-in request shows a
// notification while the app is closed. The long poll stays; this only adds.
import { b64url, call, fromB64url } from './protocol.js';

const SUBSCRIPTION = '/push/v1/webpush/subscription';

export const webPushSupported = () => typeof self.PushManager !== 'undefined' && typeof self.Notification !== 'undefined';

async function serverKey(device) {
  const { applicationServerKey } = await call(device, 'GET', '/push/v1/webpush/key');
  return applicationServerKey;
}

/**
 * Subscribes (or keeps the subscription when it was made with the server's
 * current key) and tells the server. Called when the person turns
 * notifications on, on every start while they are on, and by the worker when
 * the browser changes the subscription.
 */
export async function subscribe(device, registration) {
  const key = await serverKey(device);
  let sub = await registration.pushManager.getSubscription();
  if (sub && sub.options.applicationServerKey && b64url(sub.options.applicationServerKey) !== key) {
    await sub.unsubscribe();
    sub = null;
  }
  if (!sub) sub = await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: fromB64url(key) });
  await call(device, 'PUT', SUBSCRIPTION, sub.toJSON());
  return sub;
}

export async function unsubscribe(device, registration) {
  const sub = await registration.pushManager.getSubscription();
  if (sub) await sub.unsubscribe();
  await call(device, 'DELETE', SUBSCRIPTION);
}

export async function subscribed(registration) {
  return !!(await registration.pushManager.getSubscription());
}
