import { geoRecordOf } from './country.ts';

/**
 * Roughly where an address is, from the same offline GeoIP database as its
 * country (country.ts). Kept behind this one function so the database can be
 * replaced without touching its callers (impossible-travel detection).
 */
export interface Coordinates {
  latitude: number;
  longitude: number;
  /** How far off the point may be, in km (the database's accuracy radius). */
  radiusKm: number;
  country: string | null;
}

export function coordinatesOf(ip: string | null | undefined): Coordinates | null {
  const hit = geoRecordOf(ip);
  const ll = hit?.ll;
  if (!ll || !Number.isFinite(ll[0]) || !Number.isFinite(ll[1])) return null;
  // geoip-lite marks an address it cannot place with 0,0 and no radius.
  if (ll[0] === 0 && ll[1] === 0) return null;
  const country = hit.country && /^[A-Z]{2}$/.test(hit.country) ? hit.country : null;
  return { latitude: ll[0], longitude: ll[1], radiusKm: typeof hit.area === 'number' && hit.area > 0 ? hit.area : 100, country };
}

const EARTH_RADIUS_KM = 6371;

/** Great-circle distance (haversine), in km. */
export function distanceKm(a: Pick<Coordinates, 'latitude' | 'longitude'>, b: Pick<Coordinates, 'latitude' | 'longitude'>): number {
  const rad = (d: number) => (d * Math.PI) / 180;
  const dLat = rad(b.latitude - a.latitude);
  const dLon = rad(b.longitude - a.longitude);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.latitude)) * Math.cos(rad(b.latitude)) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}
