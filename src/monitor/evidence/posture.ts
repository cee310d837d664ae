import type { PostureRow } from '../posture/model.ts';
import { figure, table, type EvidenceSection } from './model.ts';

const text = (v: PostureRow['figures'][string]): string => (Array.isArray(v) ? v.join(', ') || 'none' : String(v));

/**
 * The posture checklist as `tessera posture` computes it, handed in by the
 * caller: part of its facts live in the recovery layer, above this one.
 */
export function postureSection(rows: readonly PostureRow[]): EvidenceSection {
  return {
    id: 'posture',
    title: 'Posture checklist',
    about: 'The MFA posture checklist computed from the system when the pack was made: each check passes or fails, with the figures behind the verdict and, for a failure, what to do.',
    figures: [
      figure('checks', 'Checks', rows.length),
      figure('passed', 'Passed', rows.filter((r) => r.status === 'pass').length),
      figure('failed', 'Failed', rows.filter((r) => r.status === 'fail').length),
    ],
    tables: [
      table('posture', 'Posture checklist', [['check', 'Check'], ['title', 'What it asks'], ['status', 'Result'], ['figures', 'Figures'], ['fix', 'What to do']],
        rows.map((r) => ({
          check: r.id, title: r.title, status: r.status,
          figures: Object.entries(r.figures).map(([k, v]) => `${k}: ${text(v)}`).join('; '), fix: r.fix,
        }))),
    ],
  };
}
