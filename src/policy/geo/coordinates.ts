import { placeOf } from './database.ts';

/**
 * Roughly where an address is, from the same offline GeoIP database as its
 * country (database.ts). Kept behind this one function so the database can be
 * replaced without touching its callers (impossible-travel detection).
 */
export interface Coordinates {
  latitude: number;
  longitude: number;
  /** How far off the point may be, in km. */
  radiusKm: number;
  country: string | null;
}

/**
 * The database has no accuracy radius, so it is judged by what the point is:
 * a city's, or the middle of a region or a whole country (as for 8.8.8.8,
 * placed in the middle of the United States), which may be far off.
 */
const CITY_RADIUS_KM = 100;
const COUNTRY_RADIUS_KM = 1000;

export function coordinatesOf(ip: string | null | undefined): Coordinates | null {
  const place = placeOf(ip);
  if (!place || place.latitude === null || place.longitude === null) return null;
  // A place the database cannot put anywhere may be marked 0,0.
  if (place.latitude === 0 && place.longitude === 0) return null;
  return { latitude: place.latitude, longitude: place.longitude, radiusKm: place.city ? CITY_RADIUS_KM : COUNTRY_RADIUS_KM, country: place.country };
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
