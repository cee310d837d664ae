import { placeOf } from './database.ts';

export { geoUnavailable } from './database.ts';

/**
 * ISO 3166-1 alpha-2 country of an IP address from the offline GeoIP database
 * (database.ts, opened on first use: only when some named location is defined
 * by countries, or a push approval or a detection asks), or null for private,
 * reserved or unknown addresses.
 */
export function countryOf(ip: string | null | undefined): string | null {
  return placeOf(ip)?.country ?? null;
}
