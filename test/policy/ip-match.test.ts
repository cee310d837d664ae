import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileIpRanges, normalizeIp } from '../../src/policy/ip-ranges.ts';
import { compileRanges, normalizedGroups } from '../../src/policy/ip-match.ts';

/**
 * Named locations match IP ranges in plain JavaScript (src/policy/ip-match.ts)
 * instead of Node's BlockList. A location can exempt people from MFA, so the
 * two must answer alike: every range and address here, fixed and generated
 * from a fixed seed, is asked of both.
 */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const rand = random(20261201);
const int = (n: number) => Math.floor(rand() * n);
const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;

const v4 = (g: readonly number[]) => `${g[6]! >> 8}.${g[6]! & 255}.${g[7]! >> 8}.${g[7]! & 255}`;

/** Eight groups near the places the two families and the special ranges meet. */
function groups(): number[] {
  const base = pick([
    [0, 0, 0, 0, 0, 0xffff, int(65536), int(65536)],
    [0, 0, 0, 0, 0, 0, int(65536), int(65536)],
    [0x64, 0xff9b, 0, 0, 0, 0, int(65536), int(65536)],
    [0x2001, 0xdb8, int(4), 0, 0, 0, 0, int(3)],
    [0xfe80, 0, 0, 0, int(65536), int(65536), int(65536), int(65536)],
    Array.from({ length: 8 }, () => int(65536)),
  ]);
  // Flip a bit now and then, so that addresses fall just inside and just outside prefixes.
  if (rand() < 0.5) {
    const bit = int(128);
    base[bit >> 4] = base[bit >> 4]! ^ (1 << (15 - (bit & 15)));
  }
  return base;
}

function ipv6Text(g: readonly number[]): string {
  const style = int(5);
  if (style === 0) return g.map((x) => x.toString(16)).join(':');
  if (style === 1 && g.slice(0, 6).every((x, i) => x === (i === 5 ? 0xffff : 0))) return `::ffff:${v4(g)}`;
  if (style === 2) return `${g.slice(0, 6).map((x) => x.toString(16).toUpperCase()).join(':')}:${v4(g)}`;
  // The longest run of zero groups as "::".
  let best = [-1, 0];
  for (let i = 0; i < 8; i++) {
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > best[1]!) best = [i, j - i];
  }
  if (best[1]! < 2) return g.map((x) => x.toString(16).padStart(style === 3 ? 4 : 1, '0')).join(':');
  const head = g.slice(0, best[0]).map((x) => x.toString(16));
  const tail = g.slice(best[0]! + best[1]!).map((x) => x.toString(16));
  return `${head.join(':')}::${tail.join(':')}`;
}

function address(): string {
  const g = groups();
  return rand() < 0.4 ? v4(g) : ipv6Text(g);
}

function range(): string {
  const text = address();
  if (rand() < 0.2) return text;
  const max = text.includes(':') ? 128 : 32;
  const bits = rand() < 0.3 ? pick([0, 1, 8, 16, 24, 32, 64, 80, 95, 96, 97, 104, 120, 127, 128].filter((b) => b <= max)) : int(max + 1);
  return `${text}/${bits}`;
}

function sameAnswers(ranges: readonly string[], addresses: readonly string[]): void {
  const node = compileIpRanges(ranges);
  const ours = compileRanges(ranges);
  for (const raw of addresses) {
    const ip = normalizeIp(raw);
    if (!ip) continue;
    assert.equal(ours.contains(normalizedGroups(ip)), node.matches(ip), `${raw} in ${ranges.join(', ')}`);
  }
}

test('known ranges answer as BlockList does, across the two families', () => {
  const addresses = [
    '10.1.99.1', '10.2.0.1', '192.168.5.5', '::ffff:192.168.5.5', '::ffff:a01:101', '::10.1.1.1', '::', '::1', '::ffff:0:0',
    '2001:db8::1', '2001:db8::2', '2001:DB8:0:0:0:0:0:1', '[2001:db8::1]', 'fe80::1%eth0', '64:ff9b::a01:101', '0.0.0.0', '255.255.255.255',
  ];
  for (const ranges of [
    ['10.1.2.3/16'], ['::ffff:192.168.0.0/112'], ['2001:db8::1'], ['0.0.0.0/0'], ['::/0'], ['::ffff:10.0.0.0/104'], ['::/80'], ['::/96'],
    ['10.0.0.1'], ['::ffff:10.0.0.1'], ['64:ff9b::/96'], ['fe80::1%eth0'], ['2001:db8::/32', '10.0.0.0/8'], ['255.255.255.255/32'], ['::1/128'],
  ]) sameAnswers(ranges, addresses);
});

test('generated ranges and addresses answer as BlockList does', () => {
  for (let round = 0; round < 400; round++) {
    const ranges = Array.from({ length: 1 + int(4) }, range);
    const addresses = [...ranges.map((r) => r.split('/')[0]!), ...Array.from({ length: 40 }, address)];
    sameAnswers(ranges, addresses);
  }
});

test('a range BlockList refuses is refused alike', () => {
  for (const bad of ['10.0.0.0/33', '2001:db8::/129', 'not-an-address', '10.0.0.0/8/1', '10.0.0.0/x']) {
    assert.throws(() => compileRanges([bad]));
    assert.throws(() => compileIpRanges([bad]));
  }
});
