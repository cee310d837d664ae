import { BlockList, isIP } from 'node:net';

/**
 * IP ranges of a named location, matched with Node's BlockList (CIDR blocks
 * and single addresses, IPv4 and IPv6). Pure computation, no I/O.
 */
export interface IpMatcher {
  matches(ip: NormalizedIp): boolean;
}

export interface NormalizedIp {
  address: string;
  family: 'ipv4' | 'ipv6';
}

/** The client address as matching needs it: brackets, zone ids and IPv4-mapped IPv6 undone. */
export function normalizeIp(raw: string | null | undefined): NormalizedIp | null {
  if (!raw) return null;
  const text = raw.trim().toLowerCase().replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  const address = mapped ? mapped[1]! : text;
  const family = isIP(address);
  if (family === 4) return { address, family: 'ipv4' };
  if (family === 6) return { address, family: 'ipv6' };
  return null;
}

/** Why a range is not acceptable, or null when it is. */
export function rangeProblem(range: string): string | null {
  const [addr, bits, extra] = range.trim().split('/');
  if (extra !== undefined || !addr) return `${range}: not an address or CIDR block`;
  const family = isIP(addr);
  if (family === 0) return `${range}: not an IP address`;
  if (bits === undefined) return null;
  if (!/^\d{1,3}$/.test(bits) || Number(bits) > (family === 4 ? 32 : 128)) return `${range}: bad prefix length`;
  return null;
}

export function compileIpRanges(ranges: readonly string[]): IpMatcher {
  const list = new BlockList();
  for (const range of ranges) {
    const problem = rangeProblem(range);
    if (problem) throw new Error(problem);
    const [addr, bits] = range.trim().split('/') as [string, string | undefined];
    const family = isIP(addr) === 4 ? 'ipv4' : 'ipv6';
    if (bits === undefined) list.addAddress(addr, family);
    else list.addSubnet(addr, Number(bits), family);
  }
  return { matches: (ip) => list.check(ip.address, ip.family) };
}
