import { isIP } from 'node:net';

/**
 * The bucket a client address counts in. IPv6 hosts usually hold a whole /64,
 * so counting single addresses would let one host rotate through billions;
 * IPv4-mapped IPv6 addresses count as the IPv4 address they carry.
 */
export function ipKey(ip: string): string {
  const raw = ip.trim().toLowerCase().replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(raw);
  if (mapped) return mapped[1]!;
  if (isIP(raw) === 4) return raw;
  if (isIP(raw) === 6) return `${expandIpv6(raw).slice(0, 4).join(':')}::/64`;
  // Not an address (a misconfigured proxy header): still a bucket, but a bounded one.
  return `other:${raw.slice(0, 64)}`;
}

function expandIpv6(addr: string): string[] {
  let text = addr;
  // A trailing embedded IPv4 (::1.2.3.4) stands for the last two groups.
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    text = text.slice(0, v4.index) + `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const middle = tail === undefined ? [] : Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...middle, ...right].map((g) => (parseInt(g, 16) || 0).toString(16));
}
