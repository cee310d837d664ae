/**
 * The detections' own tables (migration 0175). The scanner's cursor and lease
 * live in one row; each raised finding leaves a hit whose key is unique, so a
 * second run over the same rows (another node, a retry) raises nothing twice;
 * risk signals are what conditional access reads (src/policy/store/risk-facts.ts).
 */
export interface DetectionStateTable {
  name: string;
  /** The last sign-in log row handled: its time and id, in that order. */
  signin_at: string;
  signin_id: string;
  /** The last audit entry handled. */
  audit_seq: number;
  lease_holder: string | null;
  lease_expires_at: string | null;
  scanned_at: string | null;
  /** Notices not sent because the person has no e-mail address. */
  unmailed: number;
}

export interface DetectionHitsTable {
  /** kind:subject, plus the window's number for windowed detections. */
  dedupe_key: string;
  kind: string;
  subject: string;
  created_at: string;
  alert_id: string | null;
}

export type RiskScope = 'user' | 'signin';

export interface RiskSignalsTable {
  id: string;
  created_at: string;
  expires_at: string;
  /** user: the person's user risk; signin: the risk of sign-ins of user_id and/or from ip. */
  scope: RiskScope;
  user_id: string | null;
  ip: string | null;
  level: 'low' | 'medium' | 'high';
  kind: string;
  /** Acknowledging this alert ends the signal early. */
  alert_id: string | null;
}

export interface DetectionSettingsTable {
  key: string;
  value: string;
  updated_at: string;
  updated_by: string;
}

export interface DetectionTables {
  detection_state: DetectionStateTable;
  detection_hits: DetectionHitsTable;
  risk_signals: RiskSignalsTable;
  detection_settings: DetectionSettingsTable;
}
