import { distanceKm, type Coordinates } from '../../policy/geo/coordinates.ts';
import type { DetectionSettings } from './settings.ts';
import { HOUR, ms, type Finding, type LogFact } from './model.ts';

/**
 * Where a person signs in from: two sign-ins further apart than an airliner
 * could fly in the time between them (impossible travel), and the first
 * sign-in from a country not seen in their history. Coordinates come from the
 * offline GeoIP database at scan time, never on the sign-in path. `history`
 * holds the person's successful sign-ins before `row`, oldest first.
 */
export type Locate = (ip: string | null) => Coordinates | null;

export function detectTravel(row: LogFact, history: readonly LogFact[], locate: Locate, s: DetectionSettings): Finding[] {
  const here = locate(row.ip);
  if (!here || !row.userId) return [];
  return [impossibleTravel(row, here, history, locate, s), newCountry(row, here, history, locate)].filter((f): f is Finding => f !== null);
}

function impossibleTravel(row: LogFact, here: Coordinates, history: readonly LogFact[], locate: Locate, s: DetectionSettings): Finding | null {
  const previous = [...history].reverse().find((h) => locate(h.ip));
  if (!previous) return null;
  const there = locate(previous.ip)!;
  // The database places an address only roughly: take the nearest the two could have been.
  const km = Math.max(0, distanceKm(there, here) - there.radiusKm - here.radiusKm);
  const hours = Math.max(0, ms(row.at) - ms(previous.at)) / HOUR;
  if (km < s.impossibleTravel.minDistanceKm) return null;
  const speed = hours === 0 ? Infinity : km / hours;
  if (speed <= s.impossibleTravel.speedKmh) return null;
  return {
    kind: 'signin.impossible_travel', severity: 'high', subject: row.userId!, userId: row.userId, username: row.username, at: row.at,
    evidence: {
      from: { address: previous.ip, country: there.country, at: previous.at },
      to: { address: row.ip, country: here.country, at: row.at },
      distanceKm: Math.round(km), hours: Math.round(hours * 100) / 100,
      speedKmh: Number.isFinite(speed) ? Math.round(speed) : null, limitKmh: s.impossibleTravel.speedKmh,
    },
    // One of the two was probably not the person: their password or session is in other hands.
    risk: { scope: 'user', level: 'medium', userId: row.userId! },
  };
}

function newCountry(row: LogFact, here: Coordinates, history: readonly LogFact[], locate: Locate): Finding | null {
  const country = here.country;
  if (!country) return null;
  const seen = new Set(history.map((h) => locate(h.ip)?.country).filter((c): c is string => !!c));
  // Someone's very first located sign-in is not "new": there is nothing to compare it with.
  if (seen.size === 0 || seen.has(country)) return null;
  return {
    kind: 'signin.new_country', severity: 'low', subject: `${row.userId}:${country}`, userId: row.userId, username: row.username, at: row.at,
    evidence: { country, address: row.ip, knownCountries: [...seen].sort().slice(0, 20), signinId: row.id },
    risk: { scope: 'signin', level: 'low', userId: row.userId, ips: row.ip ? [row.ip] : [] },
  };
}
