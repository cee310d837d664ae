/**
 * Conditional-access evaluation time for 200 realistic policies (assignments
 * by users, groups and roles, named locations by IP range and country, device,
 * client type and risk conditions, exceptions, report-only and staged states),
 * as p50 / p99 per decision, and as ratios to two baselines measured in the
 * same run: evaluating a set of one policy, and one JSON.parse of one policy
 * document (what reading a single policy from the store costs at least).
 * The target is p99 ≤ 50 µs for 200 policies. Also the first decision after
 * a change, which reads and schema-checks the stored documents, compiles the
 * set and decides (target p99 ≤ 2 ms), and those parts on their own.
 *
 *   node bench/policy.ts [iterations=50000]
 */
import { namedLocationSchema, policyDocumentSchema, type PolicyDocumentInput } from '../src/policy/document.ts';
import { evaluatePolicies } from '../src/policy/evaluate.ts';
import { policySetFromRows } from '../src/policy/stored-documents.ts';
import type { PolicyException, PolicySet, SigninFacts } from '../src/policy/model.ts';
import { report } from './lib/figures.ts';
import { percentile } from './lib/stats.ts';

const iterations = Number(process.argv[2] ?? 50_000);
const ROLES = ['global_admin', 'security_admin', 'helpdesk', 'auditor'];
const STRENGTHS = ['mfa', 'passwordless_mfa', 'phishing_resistant_mfa'];
const APPS = Array.from({ length: 40 }, (_, i) => `app-${i}`);
const GROUPS = Array.from({ length: 60 }, (_, i) => `Department ${i}`);

function realisticPolicy(i: number): PolicyDocumentInput {
  const kind = i % 10;
  const apps = kind < 6 ? { include: [APPS[i % 40]!, APPS[(i * 7) % 40]!], exclude: [] } : { include: 'all' as const, exclude: [APPS[(i * 3) % 40]!] };
  const base = {
    name: `Policy ${i}`,
    state: i % 9 === 0 ? ('reportOnly' as const) : i % 23 === 0 ? ('disabled' as const) : ('enabled' as const),
    enforceFrom: i % 17 === 0 ? '2027-01-01T00:00:00Z' : undefined,
    assignments: {
      users: { include: i % 5 === 0 ? ('all' as const) : [`user${i}`, `user${i + 1}`] },
      groups: { include: [GROUPS[i % 60]!, GROUPS[(i * 11) % 60]!] },
      roles: { include: i % 4 === 0 ? [ROLES[i % 4]!] : [], exclude: i % 13 === 0 ? ['global_admin'] : [] },
      apps,
    },
  };
  switch (kind) {
    case 0: return { ...base, conditions: { locations: { include: 'all', exclude: ['HQ', 'Branches'] } }, grant: { strength: 'mfa' } };
    case 1: return { ...base, conditions: { locations: { include: ['Blocked countries'] } }, grant: { block: true } };
    case 2: return { ...base, conditions: { device: { compliant: false } }, grant: { compliantDevice: true, strength: 'mfa', operator: 'any' } };
    case 3: return { ...base, conditions: { signInRisk: ['medium', 'high'] }, grant: { strength: STRENGTHS[i % 3]! } };
    case 4: return { ...base, conditions: { userRisk: ['high'] }, grant: { block: true } };
    case 5: return { ...base, conditions: { clientTypes: ['radius'] }, grant: { strength: 'mfa' } };
    case 6: return { ...base, conditions: { device: { managed: false } }, session: { signInFrequencyHours: 8, persistentSession: false } };
    case 7: return { ...base, conditions: { registeredMethods: { anyOf: ['totp', 'webauthn'] } }, grant: { strength: 'mfa' } };
    case 8: return { ...base, conditions: { locations: { include: ['Travel'] }, clientTypes: ['browser'] }, grant: { strength: 'phishing_resistant_mfa' } };
    default: return { ...base, grant: { strength: 'mfa', compliantDevice: true } };
  }
}

const documents = Array.from({ length: 200 }, (_, i) => realisticPolicy(i));
const policies = documents.map((d, i) => ({ id: `p${i}`, document: policyDocumentSchema.parse(d) }));
const exceptions: PolicyException[] = Array.from({ length: 30 }, (_, i) => ({
  id: `x${i}`, policyId: `p${i * 6}`, subjectKind: i % 2 ? 'user' : 'group', subject: i % 2 ? `user${i}` : GROUPS[i]!,
  startsAt: '2026-01-01T00:00:00Z', endsAt: '2026-12-31T23:59:59.999Z',
}));
const namedLocations = [
  { name: 'HQ', ipRanges: ['203.0.113.0/24', '198.18.0.0/15', '2001:db8:1::/48'], trusted: true },
  { name: 'Branches', ipRanges: Array.from({ length: 50 }, (_, i) => `10.${i}.0.0/16`), trusted: true },
  { name: 'Blocked countries', countries: ['KP', 'IR', 'SY', 'CU'], trusted: false },
  { name: 'Travel', countries: ['US', 'GB', 'FR', 'DE', 'IT', 'ES'], trusted: false },
];
const set: PolicySet = { policies, namedLocations, exceptions };
const oneSet: PolicySet = { policies: policies.slice(0, 1), namedLocations, exceptions: [] };

const factsPool: SigninFacts[] = Array.from({ length: 64 }, (_, i) => ({
  now: new Date('2026-11-23T12:00:00Z'),
  user: {
    id: `id${i}`, username: `user${i * 3}`, kind: 'person', groups: [GROUPS[i % 60]!, GROUPS[(i * 5) % 60]!, 'All staff'],
    roles: i % 8 === 0 ? ['helpdesk'] : [], registeredMethods: i % 3 ? ['password', 'totp'] : ['password'],
  },
  app: APPS[i % 40]!,
  ip: i % 4 === 0 ? `10.${i}.1.2` : i % 4 === 1 ? `2001:db8:${i}::1` : `192.0.2.${i}`,
  country: ['CH', 'US', 'KP', 'DE'][i % 4]!,
  device: i % 3 === 0 ? { managed: true, compliant: i % 2 === 0 } : null,
  clientType: i % 7 === 0 ? 'radius' : 'browser',
  signInRisk: (['none', 'low', 'medium', 'high'] as const)[i % 4]!,
  userRisk: i % 11 === 0 ? 'high' : 'none',
  methodsUsed: i % 2 ? ['password', 'totp'] : ['password'],
}));

function percentiles(fn: (i: number) => unknown, n: number, warmup = 20_000): { p50: number; p99: number } {
  for (let i = 0; i < warmup; i++) fn(i); // warm up the JIT and the compiled-set cache
  const samples = new Float64Array(n);
  let sink = 0;
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    const r = fn(i);
    samples[i] = Number(process.hrtime.bigint() - t0) / 1000;
    if (r) sink++;
  }
  if (sink < 0) console.log(sink);
  samples.sort();
  return { p50: percentile(samples, 0.5), p99: percentile(samples, 0.99) };
}

const full = percentiles((i) => evaluatePolicies(set, factsPool[i & 63]!), iterations);
const single = percentiles((i) => evaluatePolicies(oneSet, factsPool[i & 63]!), iterations);
const text = JSON.stringify(documents[0]);
const parse = percentiles(() => JSON.parse(text), iterations);

/*
 * After a change. A server notices one by the audit log's head moving
 * (store/config-snapshot.ts), which any audited change does, not only a
 * policy's. It then reads the stored rows again, schema-checks every document
 * (loadPolicySet, through policySetFromRows) and its first decision compiles
 * the new set. The samples below run that same code on the stored text: one
 * edited policy document per change (or every one), every row a fresh string
 * as a database driver hands it over, one set at a time as a server holds
 * one current set. The rows are made outside the timing.
 */
type Rows = { policies: { id: string; document: string }[]; locations: { document: string }[]; exceptions: PolicyException[] };
const fresh = (s: string) => Buffer.from(s).toString();
const storedLocations = namedLocations.map((l) => JSON.stringify(namedLocationSchema.parse(l)));
function rowsAfterChange(n: number, edits: 'one' | 'all'): Rows {
  return {
    policies: policies.map((p, i) => {
      const edited = edits === 'all' || i === n % policies.length;
      return { id: p.id, document: fresh(JSON.stringify(edited ? { ...p.document, description: `change ${n}` } : p.document)) };
    }),
    locations: storedLocations.map((t) => ({ document: fresh(t) })),
    exceptions: exceptions.map((e) => ({ ...e })),
  };
}

/** p50 and p99 in ms of timed(prepare(k)), each input prepared outside the timing. */
function afterChanges<T>(n: number, prepare: (k: number) => T, timed: (input: T, k: number) => unknown): { p50: number; p99: number } {
  const warmup = 200;
  for (let k = 0; k < warmup; k++) timed(prepare(k), k);
  const samples = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const k = warmup + i;
    const input = prepare(k);
    const t0 = process.hrtime.bigint();
    timed(input, k);
    samples[i] = Number(process.hrtime.bigint() - t0) / 1e6;
  }
  samples.sort();
  return { p50: percentile(samples, 0.5), p99: percentile(samples, 0.99) };
}

const samplesOf = (most: number) => Math.min(most, Math.max(200, Math.round(iterations / 25)));
const readSet = (r: Rows) => policySetFromRows(r.policies, r.locations, r.exceptions);
// The same documents in a new set object: compiling and deciding alone, the documents already read.
const compiles = afterChanges(samplesOf(2000), () => ({ ...set, policies: set.policies.map((p) => ({ ...p })) }), (copy, k) => evaluatePolicies(copy, factsPool[k & 63]!));
const reread = afterChanges(samplesOf(1000), (k) => rowsAfterChange(k, 'one'), readSet);
const whole = afterChanges(samplesOf(1000), (k) => rowsAfterChange(k, 'one'), (r, k) => evaluatePolicies(readSet(r), factsPool[k & 63]!));
const cold = afterChanges(samplesOf(300), (k) => rowsAfterChange(k, 'all'), (r, k) => evaluatePolicies(readSet(r), factsPool[k & 63]!));

const spreadOf = (x: { p50: number; p99: number }) => ({ median: x.p99, min: x.p50, max: x.p99 });
console.log(`policy evaluation, ${policies.length} policies, ${namedLocations.length} named locations, ${exceptions.length} exceptions, ${iterations} decisions`);
console.log(`  1 policy (baseline): p50 ${single.p50.toFixed(2)} µs, p99 ${single.p99.toFixed(2)} µs; JSON.parse of 1 policy: p50 ${parse.p50.toFixed(2)} µs, p99 ${parse.p99.toFixed(2)} µs`);
console.log('  (each figure below: p99, range p50–p99)');
report({
  bench: 'policy', name: 'decision with 200 policies, compiled set cached (p99)', unit: 'µs', value: spreadOf(full),
  goal: { op: '<=', value: 50 }, details: { p50: full.p50, p99: full.p99, p99RatioToOnePolicy: full.p99 / single.p99, p99RatioToJsonParse: full.p99 / parse.p99 },
});
report({
  bench: 'policy', name: 'first decision after a change: read-check + compile 200 policies + decide (p99)', unit: 'ms', value: spreadOf(whole),
  goal: { op: '<=', value: 2 }, details: { p50: whole.p50, p99: whole.p99, editedDocuments: 1 },
});
report({
  bench: 'policy', name: 'first decision after every policy document changed: read-check + compile 200 policies + decide (p99)', unit: 'ms',
  value: spreadOf(cold), details: { p50: cold.p50, p99: cold.p99, editedDocuments: policies.length },
});
report({
  bench: 'policy', name: 'first decision after a change: compile 200 policies + decide (p99)', unit: 'ms', value: spreadOf(compiles),
  details: { p50: compiles.p50, p99: compiles.p99, part: 'compile and decide only, documents not read from stored text (as in a proposed change)' },
});
report({
  bench: 'policy', name: 'schema check of 200 stored policy documents after a change (p99)', unit: 'ms', value: spreadOf(reread),
  details: { p50: reread.p50, p99: reread.p99, editedDocuments: 1, part: 'what loadPolicySet does with the rows' },
});
