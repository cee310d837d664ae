import { isIP } from 'node:net';
import { rangeProblem, type NormalizedIp } from './ip-ranges.ts';

/**
 * IP ranges of a named location, matched in plain JavaScript. Node's BlockList
 * (ip-ranges.ts) makes a native object for every range and for every address
 * it checks; their weak handles made each young-generation collection after
 * a policy change take milliseconds, and a change compiles every location
 * again. This answers as BlockList does (test/policy/ip-match.test.ts compares
 * the two): an IPv4 address or range stands for its IPv4-mapped IPv6 form
 * (::ffff:a.b.c.d), so the two families meet there and nowhere else.
 *
 * An address is eight 16-bit groups, small integers V8 keeps unboxed.
 */
export type AddressGroups = readonly number[];

const hex = (s: string) => Number.parseInt(s, 16);

function ipv4Groups(text: string): [number, number] {
  const [a, b, c, d] = text.split('.').map(Number) as [number, number, number, number];
  return [(a << 8) | b, (c << 8) | d];
}

function ipv6Groups(text: string): number[] {
  const halves = text.split('::');
  const side = (s: string | undefined): number[] => {
    if (!s) return [];
    const parts = s.split(':');
    const last = parts[parts.length - 1]!;
    return last.includes('.') ? [...parts.slice(0, -1).map(hex), ...ipv4Groups(last)] : parts.map(hex);
  };
  const head = side(halves[0]);
  const tail = side(halves[1]);
  if (halves.length === 1) return head;
  return [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
}

/** The groups of an address that isIP accepts (a zone id is left out, as Node does). */
export function addressGroups(address: string): AddressGroups {
  const text = address.replace(/%.*$/, '');
  if (isIP(text) !== 4) return ipv6Groups(text);
  const [hi, lo] = ipv4Groups(text);
  return [0, 0, 0, 0, 0, 0xffff, hi, lo];
}

export function normalizedGroups(ip: NormalizedIp): AddressGroups {
  return addressGroups(ip.address);
}

/** Ranges as one flat list: per range its prefix length in the IPv6 space, then its eight groups masked. */
export interface RangeMatcher {
  contains(address: AddressGroups): boolean;
}

const STRIDE = 9;

function maskOf(bits: number, group: number): number {
  const left = bits - group * 16;
  return left >= 16 ? 0xffff : left <= 0 ? 0 : (0xffff << (16 - left)) & 0xffff;
}

function contains(rules: readonly number[], address: AddressGroups): boolean {
  for (let r = 0; r < rules.length; r += STRIDE) {
    const bits = rules[r]!;
    let inside = true;
    for (let g = 0; g * 16 < bits; g++) {
      if ((address[g]! & maskOf(bits, g)) !== rules[r + 1 + g]) {
        inside = false;
        break;
      }
    }
    if (inside) return true;
  }
  return false;
}

/** Compiles CIDR blocks and single addresses, IPv4 and IPv6; a range rangeProblem refuses throws. */
export function compileRanges(ranges: readonly string[]): RangeMatcher {
  const rules: number[] = [];
  for (const range of ranges) {
    const problem = rangeProblem(range);
    if (problem) throw new Error(problem);
    const [addr, prefix] = range.trim().split('/') as [string, string | undefined];
    const v4 = isIP(addr) === 4;
    const bits = prefix === undefined ? 128 : Number(prefix) + (v4 ? 96 : 0);
    const groups = addressGroups(addr);
    rules.push(bits, ...groups.map((x, g) => x & maskOf(bits, g)));
  }
  return { contains: (address) => contains(rules, address) };
}
