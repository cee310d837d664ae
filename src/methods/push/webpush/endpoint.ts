import { BlockList, isIP, type LookupFunction } from 'node:net';
import { lookup as dnsLookup } from 'node:dns';

/**
 * Where the server may send Web Push messages. The endpoint comes from the
 * authenticator, so it is treated as untrusted: https only, no credentials in
 * the URL, and never an address on this machine or a private network (the
 * server must not be made to reach its own neighbours, SSRF). The check is made
 * on the URL and again on every address the name resolves to when connecting,
 * so a name that later resolves elsewhere (DNS rebinding) is refused as well.
 * Origins named in TESSERA_WEBPUSH_ALLOW_PRIVATE_ORIGINS are exempt (tests, labs).
 */
export const MAX_ENDPOINT_LENGTH = 2048;

const PRIVATE = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) PRIVATE.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8], ['64:ff9b::', 96]] as const) PRIVATE.addSubnet(net, prefix, 'ipv6');

/** True for loopback, private, link-local, shared, multicast and unspecified addresses (IPv4-mapped IPv6 by its IPv4 part when written dotted, else refused). */
export function isPrivateAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return PRIVATE.check(mapped[1]!, 'ipv4');
  // Written in hex, an IPv4-mapped address is refused rather than decoded.
  if (/^::ffff:/i.test(address)) return true;
  const family = isIP(address);
  if (family === 0) return true;
  return PRIVATE.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

export type EndpointCheck = { ok: true; url: URL; allowedPrivate: boolean } | { ok: false; reason: string };

/** Checks an endpoint before it is stored and before every send. */
export function checkEndpoint(endpoint: string, allowPrivateOrigins: readonly string[]): EndpointCheck {
  if (endpoint.length > MAX_ENDPOINT_LENGTH) return { ok: false, reason: 'the endpoint is too long' };
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return { ok: false, reason: 'the endpoint is not a URL' };
  }
  if (url.username || url.password) return { ok: false, reason: 'the endpoint must not carry a user name or password' };
  const allowedPrivate = allowPrivateOrigins.includes(url.origin);
  if (allowedPrivate) return url.protocol === 'https:' || url.protocol === 'http:' ? { ok: true, url, allowedPrivate } : { ok: false, reason: 'the endpoint must be an https URL' };
  if (url.protocol !== 'https:') return { ok: false, reason: 'the endpoint must be an https URL' };
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) ? isPrivateAddress(host) : /(^|\.)localhost$|\.local$|\.internal$/i.test(host) || !host.includes('.')) {
    return { ok: false, reason: 'the endpoint must be a public push service, not this machine or a private network' };
  }
  return { ok: true, url, allowedPrivate };
}

/** A DNS lookup for the connection that refuses private addresses (unless the origin is allowed to be private). */
export function publicOnlyLookup(): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      const list = addresses as unknown as Array<{ address: string; family: number }>;
      const bad = list.find((a) => isPrivateAddress(a.address));
      if (bad || !list.length) return callback(Object.assign(new Error('the push service resolves to a private address'), { code: 'EPRIVATE' }), '', 0);
      if (options.all) return (callback as unknown as (e: null, a: typeof list) => void)(null, list);
      return callback(null, list[0]!.address, list[0]!.family);
    });
  };
}
