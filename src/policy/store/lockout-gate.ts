import type { Tx } from '../../store/store.ts';
import { RefusedError } from '../../directory/errors.ts';
import { analyseLockout, type LockoutReport } from '../lockout.ts';
import type { PolicySet } from '../model.ts';
import { loadActiveStrengths } from './strengths-source.ts';
import { loadPolicySettings } from './settings.ts';
import { lockoutSubjects } from './subjects.ts';

/** A policy change refused because it would lock people out; the report says who and why. */
export class LockoutRefusedError extends RefusedError {
  override name = 'LockoutRefusedError';
  readonly report: LockoutReport;
  readonly needsConfirmation: boolean;
  constructor(message: string, report: LockoutReport, needsConfirmation: boolean) {
    super(message);
    this.report = report;
    this.needsConfirmation = needsConfirmation;
  }
}

/** Runs the lockout analysis for a policy set now, as stored. */
export async function runLockoutCheck(trx: Tx, set: PolicySet, now = new Date()): Promise<LockoutReport> {
  const settings = await loadPolicySettings(trx);
  const subjects = await lockoutSubjects(trx, settings, now);
  return analyseLockout(set, subjects, {
    now,
    registrableMethods: settings.registrableMethods,
    enrolmentApps: settings.enrolmentApps,
    strengths: await loadActiveStrengths(trx),
  });
}

/**
 * The check before every policy change, inside the change's transaction: a
 * change that newly strands a break-glass account or every global admin is
 * refused outright; one that newly strands anybody else goes through only
 * with an explicit confirmation and a reason (recorded in the audit entry).
 */
export async function guardLockout(
  trx: Tx,
  current: PolicySet,
  proposed: PolicySet,
  confirm: string | undefined,
  now = new Date(),
): Promise<{ report: LockoutReport; newlyStranded: string[]; confirmed: string | null }> {
  const settings = await loadPolicySettings(trx);
  const subjects = await lockoutSubjects(trx, settings, now);
  const options = { now, registrableMethods: settings.registrableMethods, enrolmentApps: settings.enrolmentApps, strengths: await loadActiveStrengths(trx) };
  const before = analyseLockout(current, subjects, options);
  const after = analyseLockout(proposed, subjects, options);
  const was = new Set(before.strandedUsers);
  const newlyStranded = after.strandedUsers.filter((id) => !was.has(id));
  const newly = new Set(newlyStranded);
  const glass = after.findings.filter((f) => f.breakGlass && newly.has(f.userId)).map((f) => f.username);
  if (glass.length) {
    throw new LockoutRefusedError(`refused: this change would lock out break-glass account${glass.length > 1 ? 's' : ''} ${[...new Set(glass)].join(', ')}`, after, false);
  }
  if (after.allGlobalAdminsStranded && !before.allGlobalAdminsStranded) {
    throw new LockoutRefusedError('refused: this change would lock out every global admin', after, false);
  }
  if (newlyStranded.length === 0) return { report: after, newlyStranded, confirmed: null };
  const names = [...new Set(after.findings.filter((f) => newly.has(f.userId)).map((f) => f.username))];
  if (!confirm || confirm.trim().length < 3) {
    throw new LockoutRefusedError(
      `this change would lock out ${names.length} ${names.length === 1 ? 'person' : 'people'} (${names.slice(0, 10).join(', ')}${names.length > 10 ? ', …' : ''}); ` +
        'confirm it with a reason to go ahead',
      after,
      true,
    );
  }
  return { report: after, newlyStranded, confirmed: confirm.trim() };
}
