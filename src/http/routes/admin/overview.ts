import { z } from 'zod';
import { defineOperation, type Operation } from './operation.ts';
import { coverage, COVERAGE_LEVELS } from '../../../policy/store/coverage.ts';
import { ALERT_SEVERITIES, listAlerts } from '../../../monitor/alerts.ts';
import { listExceptions } from '../../../policy/store/exceptions.ts';
import { breakGlassReport } from '../../../recovery/breakglass/report.ts';

const levels = z.object(Object.fromEntries(COVERAGE_LEVELS.map((l) => [l, z.number().int()])) as Record<(typeof COVERAGE_LEVELS)[number], z.ZodNumber>);

const overviewOut = z.object({
  coverage: z.object({
    people: levels,
    admins: levels,
    adminsWithoutPhishingResistant: z.array(z.object({ id: z.string(), username: z.string(), level: z.enum(COVERAGE_LEVELS) })),
  }),
  openAlerts: z.object(Object.fromEntries(ALERT_SEVERITIES.map((s) => [s, z.number().int()])) as Record<(typeof ALERT_SEVERITIES)[number], z.ZodNumber>),
  exceptionsEndingSoon: z.array(z.object({ id: z.string(), policyName: z.string(), subjectKind: z.string(), subject: z.string(), endsAt: z.string() })),
  breakGlass: z.object({ accounts: z.number().int(), overdue: z.array(z.string()), problems: z.array(z.string()) }),
});

/** How many open alerts the overview counts at most; beyond it the alerts page has them all. */
const ALERT_SCAN = 1000;

export const overviewOperations: Operation[] = [
  defineOperation({
    method: 'GET', path: '/overview', operationId: 'getOverview', tag: 'overview', permission: 'users:read',
    summary: 'The console overview: MFA coverage (everyone, administrators), open alerts, exceptions ending within 7 days, break-glass tests overdue',
    response: overviewOut,
    handler: async ({ ctx }) => {
      const db = ctx.store.db;
      const [cov, alerts, expiring, breakGlass] = [await coverage(db), await listAlerts(db, { limit: ALERT_SCAN }), await listExceptions(db, { status: 'expiring' }), await breakGlassReport(db)];
      const openAlerts = Object.fromEntries(ALERT_SEVERITIES.map((s) => [s, alerts.filter((a) => a.severity === s).length])) as Record<(typeof ALERT_SEVERITIES)[number], number>;
      return {
        coverage: cov,
        openAlerts,
        exceptionsEndingSoon: expiring.map((e) => ({ id: e.id, policyName: e.policyName, subjectKind: e.subjectKind, subject: e.subject, endsAt: e.endsAt })),
        breakGlass: { accounts: breakGlass.accounts.length, overdue: breakGlass.overdue, problems: breakGlass.accounts.flatMap((a) => a.problems.map((p) => `${a.username}: ${p}`)) },
      };
    },
  }),
];
