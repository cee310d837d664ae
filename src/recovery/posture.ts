import type { Db } from '../store/store.ts';
import { gatherPostureFacts } from '../monitor/posture/facts.ts';
import { postureChecklist } from '../monitor/posture/checklist.ts';
import type { PostureRow, RecoveryFacts } from '../monitor/posture/model.ts';
import { loadTapPolicy } from './tap/policy.ts';
import { SCENARIOS } from './cases/scenarios.ts';
import { breakGlassReport } from './breakglass/report.ts';

const DAY_MS = 86_400_000;

/** The recovery side of the posture checklist's facts; recovery sits above monitor, so it hands them down. */
async function recoveryFacts(db: Db, now: Date): Promise<RecoveryFacts> {
  const tap = await loadTapPolicy(db);
  const since = new Date(now.getTime() - 90 * DAY_MS).toISOString();
  const cases = await db.selectFrom('recovery_cases').select((eb) => eb.fn.countAll<number>().as('n')).where('opened_at', '>=', since).executeTakeFirstOrThrow();
  const bg = await breakGlassReport(db, now);
  return {
    tap: { reviewed: tap.updatedAt !== null, allowMultiUse: tap.allowMultiUse, maxLifetimeMinutes: tap.maxLifetimeMinutes },
    runbooks: { scenarios: SCENARIOS, casesLast90Days: Number(cases.n) },
    breakGlass: { testIntervalDays: bg.testIntervalDays, accounts: bg.accounts.map((a) => a.username), overdue: bg.overdue, missingCredentials: bg.missingCredentials },
  };
}

/** The posture checklist, computed now from the store: what `tessera posture` and GET /api/admin/posture answer. */
export async function postureNow(db: Db, now = new Date()): Promise<PostureRow[]> {
  return postureChecklist(await gatherPostureFacts(db, await recoveryFacts(db, now), now));
}
