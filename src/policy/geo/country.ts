import { createRequire } from 'node:module';
import { normalizeIp } from '../ip-ranges.ts';

/**
 * Country of an IP address from the offline GeoIP database that ships inside
 * the geoip-lite package (no download at install or run time). The database
 * takes memory, so it is loaded on first use only: only when some named
 * location is defined by countries.
 */
interface GeoIpLite {
  lookup(ip: string): GeoIpRecord | null;
}

/** What the database knows of an address: its country, and roughly where (latitude, longitude, accuracy radius in km). */
export interface GeoIpRecord {
  country?: string;
  ll?: [number, number];
  area?: number;
}

let loaded: GeoIpLite | null | undefined;
let loadError: string | null = null;

function geoip(): GeoIpLite | null {
  if (loaded === undefined) {
    try {
      loaded = createRequire(import.meta.url)('geoip-lite') as GeoIpLite;
    } catch (err) {
      loaded = null;
      loadError = (err as Error).message;
    }
  }
  return loaded;
}

/** Why country lookups are unavailable, or null when they work. */
export function geoUnavailable(): string | null {
  geoip();
  return loadError;
}

/** The database's record of an address, or null for private, reserved or unknown ones. */
export function geoRecordOf(ip: string | null | undefined): GeoIpRecord | null {
  const n = normalizeIp(ip);
  if (!n) return null;
  return geoip()?.lookup(n.address) ?? null;
}

/** ISO 3166-1 alpha-2 country, or null for private, reserved or unknown addresses. */
export function countryOf(ip: string | null | undefined): string | null {
  const hit = geoRecordOf(ip);
  return hit?.country && /^[A-Z]{2}$/.test(hit.country) ? hit.country : null;
}
