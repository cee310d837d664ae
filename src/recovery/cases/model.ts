import type { Db, Tx } from '../../store/store.ts';
import { NotFoundError } from '../../directory/errors.ts';
import type { RecoveryCasesTable, RecoveryCaseStepsTable } from '../tables.ts';
import { SCENARIO_DEFINITIONS, type CaseStep, type Scenario } from './scenarios.ts';

export interface CaseStepRecord {
  seq: number;
  step: string;
  outcome: 'done' | 'skipped' | 'refused';
  at: string;
  actor: string;
  operatorId: string | null;
  operator: string | null;
  details: Record<string, unknown>;
  reason: string | null;
}

export interface RecoveryCase {
  id: string;
  userId: string;
  username: string;
  scenario: Scenario;
  title: string;
  status: 'open' | 'closed' | 'cancelled';
  nextStep: CaseStep | null;
  /** The steps still to do, in order. */
  remaining: CaseStep[];
  openedAt: string;
  /** The person who opened it (their username), else the channel that did (cli:…, token:…). */
  openedBy: string;
  notes: string | null;
  tapId: string | null;
  recoveredAt: string | null;
  closedAt: string | null;
  timeToRecoverSeconds: number | null;
  cancelReason: string | null;
  steps: CaseStepRecord[];
}

export async function caseRow(db: Db | Tx, id: string): Promise<RecoveryCasesTable> {
  const row = await db.selectFrom('recovery_cases').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new NotFoundError(`no recovery case ${id}`);
  return row;
}

export function remainingSteps(row: Pick<RecoveryCasesTable, 'scenario' | 'next_step'>): CaseStep[] {
  if (!row.next_step) return [];
  const steps = SCENARIO_DEFINITIONS[row.scenario as Scenario].steps;
  return steps.slice(steps.indexOf(row.next_step as CaseStep));
}

async function usernames(db: Db | Tx, ids: string[]): Promise<Map<string, string>> {
  const unique = [...new Set(ids)];
  if (!unique.length) return new Map();
  const rows = await db.selectFrom('users').select(['id', 'username']).where('id', 'in', unique).execute();
  return new Map(rows.map((r) => [r.id, r.username]));
}

export async function toCase(db: Db | Tx, row: RecoveryCasesTable, withSteps = true): Promise<RecoveryCase> {
  const steps: RecoveryCaseStepsTable[] = withSteps
    ? await db.selectFrom('recovery_case_steps').selectAll().where('case_id', '=', row.id).orderBy('seq').execute()
    : [];
  // A case opened by a named person keeps them as `user:<id>`: shown by their (current) username.
  const openerId = row.opened_by.startsWith('user:') ? row.opened_by.slice('user:'.length) : null;
  const names = await usernames(db, [...steps.map((s) => s.operator_id), openerId].filter((x): x is string => !!x));
  const scenario = row.scenario as Scenario;
  return {
    id: row.id,
    userId: row.user_id,
    username: row.username,
    scenario,
    title: SCENARIO_DEFINITIONS[scenario].title,
    status: row.status,
    nextStep: row.next_step as CaseStep | null,
    remaining: remainingSteps(row),
    openedAt: row.opened_at,
    openedBy: openerId ? (names.get(openerId) ?? row.opened_by) : row.opened_by,
    notes: row.notes,
    tapId: row.tap_id,
    recoveredAt: row.recovered_at,
    closedAt: row.closed_at,
    timeToRecoverSeconds: row.time_to_recover_seconds === null ? null : Number(row.time_to_recover_seconds),
    cancelReason: row.cancel_reason,
    steps: steps.map((s) => ({
      seq: Number(s.seq),
      step: s.step,
      outcome: s.outcome,
      at: s.at,
      actor: s.actor,
      operatorId: s.operator_id,
      operator: s.operator_id ? (names.get(s.operator_id) ?? null) : null,
      details: JSON.parse(s.details) as Record<string, unknown>,
      reason: s.reason,
    })),
  };
}
