/**
 * The recovery capability's tables: Temporary Access Passes and their policy,
 * helpdesk cases, recovery holds, break-glass tests and settings.
 */
export type TapStatus = 'pending_approval' | 'active' | 'used' | 'revoked' | 'replaced';

export interface TapPolicyTable {
  /** Always 'default': one row, absent until an admin first changes the defaults. */
  id: string;
  default_lifetime_minutes: number;
  min_lifetime_minutes: number;
  max_lifetime_minutes: number;
  default_length: number;
  allow_multi_use: number;
  updated_at: string;
  updated_by: string;
}

export interface TemporaryAccessPassesTable {
  id: string;
  user_id: string;
  /** A random key for this pass, sealed with the master key; the pass is stored only as an HMAC under it. */
  key_sealed: string;
  /** HMAC-SHA256 (hex) of the normalised pass under the pass's key. */
  digest: string;
  status: TapStatus;
  one_time: number;
  length: number;
  starts_at: string;
  expires_at: string;
  created_at: string;
  /** The audit actor that created it (token:…, cli:…, user:…). */
  created_by: string;
  /** The person (user id) who issued it. */
  issued_by: string;
  /** 1 while a second privileged person must approve it before it works (four-eyes). */
  needs_approval: number;
  /** The person named to approve, if the issuer named one. */
  approver_id: string | null;
  approved_by: string | null;
  approved_at: string | null;
  use_count: number;
  first_used_at: string | null;
  last_used_at: string | null;
  ended_at: string | null;
  ended_by: string | null;
  end_reason: string | null;
  case_id: string | null;
}

export interface TapRedemptionsTable {
  id: string;
  tap_id: string;
  user_id: string;
  at: string;
  ip: string | null;
  /** The sign-in transaction the pass was redeemed in: its session may not outlive the pass. */
  transaction_id: string | null;
}

export type CaseStatus = 'open' | 'closed' | 'cancelled';

export interface RecoveryCasesTable {
  id: string;
  user_id: string;
  username: string;
  scenario: string;
  status: CaseStatus;
  /** The step the case waits for; null once closed or cancelled. */
  next_step: string | null;
  opened_at: string;
  opened_by: string;
  notes: string | null;
  tap_id: string | null;
  /** When the person was seen signing in normally again (from the sign-in log). */
  recovered_at: string | null;
  closed_at: string | null;
  time_to_recover_seconds: number | null;
  cancel_reason: string | null;
}

export type CaseStepOutcome = 'done' | 'skipped' | 'refused';

export interface RecoveryCaseStepsTable {
  id: string;
  case_id: string;
  seq: number;
  step: string;
  outcome: CaseStepOutcome;
  at: string;
  actor: string;
  /** The person who did the step (user id), when the step names one. */
  operator_id: string | null;
  /** JSON: what the step recorded; never a pass or a code. */
  details: string;
  /** Why it was skipped or refused. */
  reason: string | null;
}

export interface RecoveryHoldsTable {
  user_id: string;
  reason: string;
  created_at: string;
  created_by: string;
}

export interface BreakGlassTestsTable {
  id: string;
  user_id: string;
  at: string;
  actor: string;
  result: 'pass' | 'fail';
  signin_id: string | null;
  signin_at: string | null;
  notes: string | null;
}

export interface BreakGlassSettingsTable {
  id: string;
  test_interval_days: number;
  updated_at: string;
  updated_by: string;
}

export interface RecoveryTables {
  tap_policy: TapPolicyTable;
  temporary_access_passes: TemporaryAccessPassesTable;
  tap_redemptions: TapRedemptionsTable;
  recovery_cases: RecoveryCasesTable;
  recovery_case_steps: RecoveryCaseStepsTable;
  recovery_holds: RecoveryHoldsTable;
  break_glass_tests: BreakGlassTestsTable;
  break_glass_settings: BreakGlassSettingsTable;
}
