import type { DetectionSettings } from './settings.ts';
import { isGuess, isSuccess, ms, MINUTE, type Finding, type LogFact } from './model.ts';

/**
 * Password guessing, from the sign-in log: many tries on one account (brute
 * force), few tries on each of many accounts from one address (a spray), and
 * few tries on each of many accounts from many addresses (a spray spread out
 * so that no address stands out). `window` holds the rows of the longest
 * window before the new ones and the new ones, oldest first; a detection
 * fires at the first new row that brings its count over the threshold.
 */
export function detectGuessing(window: readonly LogFact[], fresh: readonly LogFact[], s: DetectionSettings): Finding[] {
  const guesses = window.filter(isGuess);
  // A person who mistyped signs in a moment later; a sprayed account stays failed. Only the latter count as sprayed.
  const signedIn = new Set(window.filter(isSuccess).map((r) => r.account));
  const sprayGuesses = guesses.filter((r) => !signedIn.has(r.account));
  const freshGuesses = fresh.filter(isGuess);
  return [...bruteForce(guesses, freshGuesses, s), ...sprayFromAddress(sprayGuesses, freshGuesses, s), ...sprayDistributed(sprayGuesses, freshGuesses, s)];
}

function groupBy(rows: readonly LogFact[], key: (r: LogFact) => string | null): Map<string, LogFact[]> {
  const groups = new Map<string, LogFact[]>();
  for (const r of rows) {
    const k = key(r);
    if (k === null) continue;
    const g = groups.get(k);
    if (g) g.push(r);
    else groups.set(k, [r]);
  }
  return groups;
}

/** The rows (oldest first) in the window of `minutes` that ends at `end`. */
function endingAt(rows: readonly LogFact[], end: string, minutes: number): LogFact[] {
  const from = new Date(ms(end) - minutes * MINUTE).toISOString();
  return rows.filter((r) => r.at > from && r.at <= end);
}

/** Accounts tried at most `max` times: the mark of a spray rather than a guess at one account. */
function sprayedAccounts(rows: readonly LogFact[], max: number): Set<string> {
  const tries = new Map<string, number>();
  for (const r of rows) if (r.account) tries.set(r.account, (tries.get(r.account) ?? 0) + 1);
  return new Set([...tries].filter(([, n]) => n <= max).map(([a]) => a));
}

/**
 * How many accounts were tried, known and unknown, and a few of the known
 * ones by id. Names that match no account are only counted: what was typed
 * there may be someone's password.
 */
function accountCounts(accounts: readonly string[]): { accounts: number; unknownNames: number; sampleUserIds: string[] } {
  const known = accounts.filter((a) => a.startsWith('user:'));
  return { accounts: accounts.length, unknownNames: accounts.length - known.length, sampleUserIds: known.slice(0, 10).map((a) => a.slice(5)) };
}

const addressesOf = (rows: readonly LogFact[]) => [...new Set(rows.map((r) => r.ip).filter((ip): ip is string => !!ip))];

function bruteForce(guesses: readonly LogFact[], fresh: readonly LogFact[], s: DetectionSettings): Finding[] {
  const { failures, windowMinutes } = s.bruteForce;
  const byAccount = groupBy(guesses, (r) => r.account);
  const out = new Map<string, Finding>();
  for (const row of fresh) {
    if (!row.account || out.has(row.account)) continue;
    const rows = endingAt(byAccount.get(row.account) ?? [], row.at, windowMinutes);
    if (rows.length < failures) continue;
    const ips = addressesOf(rows);
    out.set(row.account, {
      kind: 'signin.brute_force', severity: 'medium', subject: row.userId ?? `name:${row.account}`,
      // A name that matches no account is left out: people sometimes type their password there.
      userId: row.userId, username: row.userId ? row.username : null, at: row.at,
      evidence: { failures: rows.length, windowMinutes, addresses: ips.slice(0, 20), addressCount: ips.length, first: rows[0]!.at, last: row.at },
      // Someone is working on this account's password: its sign-ins need more until this ends.
      risk: row.userId ? { scope: 'signin', level: 'medium', userId: row.userId, ips: [] } : null,
    });
  }
  return [...out.values()];
}

function sprayFromAddress(guesses: readonly LogFact[], fresh: readonly LogFact[], s: DetectionSettings): Finding[] {
  const { accounts, maxTriesPerAccount, windowMinutes } = s.sprayFromAddress;
  const byAddress = groupBy(guesses, (r) => r.ip);
  const out = new Map<string, Finding>();
  for (const row of fresh) {
    if (!row.ip || out.has(row.ip)) continue;
    const rows = endingAt(byAddress.get(row.ip) ?? [], row.at, windowMinutes);
    const targets = [...sprayedAccounts(rows, maxTriesPerAccount)];
    if (targets.length < accounts) continue;
    out.set(row.ip, {
      kind: 'signin.password_spray', severity: 'high', subject: `ip:${row.ip}`, userId: null, username: null, at: row.at,
      evidence: { address: row.ip, ...accountCounts(targets), attempts: rows.length, windowMinutes },
      risk: { scope: 'signin', level: 'high', userId: null, ips: [row.ip] },
    });
  }
  return [...out.values()];
}

function sprayDistributed(guesses: readonly LogFact[], fresh: readonly LogFact[], s: DetectionSettings): Finding[] {
  const { accounts, addresses, maxTriesPerAccount, windowMinutes } = s.sprayDistributed;
  // Looked at once per minute of new rows: a spread-out spray builds up over many minutes.
  const points = [...groupBy(fresh, (r) => r.at.slice(0, 16)).values()].map((g) => g[g.length - 1]!);
  for (const row of points) {
    const rows = endingAt(guesses, row.at, windowMinutes);
    const targets = sprayedAccounts(rows, maxTriesPerAccount);
    if (targets.size < accounts) continue;
    const sources = addressesOf(rows.filter((r) => r.account && targets.has(r.account)));
    if (sources.length < addresses) continue;
    return [{
      kind: 'signin.distributed_spray', severity: 'high', subject: 'all', userId: null, username: null, at: row.at,
      evidence: { ...accountCounts([...targets]), addresses: sources.length, attempts: rows.length, windowMinutes, sampleAddresses: sources.slice(0, 20) },
      // A right password from one of the spraying addresses is likely the attacker's.
      risk: { scope: 'signin', level: 'medium', userId: null, ips: sources.slice(0, 500) },
    }];
  }
  return [];
}
