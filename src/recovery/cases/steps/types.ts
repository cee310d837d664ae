import { z } from 'zod';
import type { SecretBox } from '../../../config/secret-box.ts';
import type { RecordAudit } from '../../../audit/append.ts';
import type { ChangedBy } from '../../../directory/errors.ts';
import type { Tx } from '../../../store/store.ts';
import type { DeviceBoundTable } from '../../devices/bindings.ts';
import type { RecoveryCasesTable, RecoveryCaseStepsTable } from '../../tables.ts';

/** Everything one step may be given; each step reads the fields it needs and says clearly what is missing. */
export const stepInputSchema = z.strictObject({
  /** The person doing the step (id or username). */
  operator: z.string().trim().min(1).max(128).optional(),
  /** verify_identity: how the identity was checked. */
  method: z.string().trim().min(1).max(64).optional(),
  notes: z.string().trim().max(500).optional(),
  /** deliver_tap: how the pass reached the person. */
  channel: z.string().trim().min(1).max(64).optional(),
  /** issue_tap: the pass's settings (within the TAP policy). */
  lifetimeMinutes: z.number().int().positive().optional(),
  startsAt: z.iso.datetime({ offset: true }).optional(),
  multiUse: z.boolean().optional(),
  length: z.number().int().optional(),
  approver: z.string().trim().min(1).max(128).optional(),
  /** new_method_registered: the new device to bind the new methods to; old_device_removed: the old device. */
  deviceId: z.string().trim().min(1).max(128).optional(),
  /** old_device_removed: credentials of the old device that were never bound to it. */
  credentials: z.array(z.object({ type: z.string().min(1).max(32), id: z.string().min(1).max(128) })).max(50).optional(),
  /** Skip this step; needs a reason. */
  skip: z.boolean().optional(),
  reason: z.string().trim().max(500).optional(),
});
export type StepInput = z.infer<typeof stepInputSchema>;

export interface StepContext {
  secrets: SecretBox;
  trx: Tx;
  record: RecordAudit;
  by: ChangedBy;
  now: Date;
  kase: RecoveryCasesTable;
  /** The steps already recorded, in order. */
  done: RecoveryCaseStepsTable[];
  tables: readonly DeviceBoundTable[];
}

export type StepResult =
  | {
      operatorId?: string | null;
      /** Recorded with the step and in its audit entry: never a pass or a code. */
      details: Record<string, unknown>;
      casePatch?: Partial<RecoveryCasesTable>;
      /** Returned to the caller once and not stored (the issued pass). */
      output?: Record<string, unknown>;
    }
  | { refused: string; operatorId?: string | null; details: Record<string, unknown> };

export type StepHandler = (c: StepContext, input: StepInput) => Promise<StepResult>;

/** The details a completed earlier step recorded. */
export function detailsOf(c: StepContext, step: string): Record<string, unknown> | null {
  const row = c.done.find((s) => s.step === step && s.outcome === 'done');
  return row ? (JSON.parse(row.details) as Record<string, unknown>) : null;
}
