import { createHash } from 'node:crypto';
import type { Config } from '../../config/config.ts';
import { DEFAULT_ORG_NAME } from '../../config/branding.ts';
import type { Store } from '../../store/store.ts';
import { recordAudit } from '../../audit/append.ts';
import type { ChangedBy } from '../../directory/errors.ts';
import { listPolicies } from '../../policy/store/policies.ts';
import type { PostureRow } from '../posture/model.ts';
import { actorNamer } from './actors.ts';
import { auditSection } from './audit.ts';
import { breakGlassSection } from './breakglass.ts';
import { recoveryCaseSection } from './cases.ts';
import { coverageSection } from './coverage.ts';
import { exceptionSection } from './exceptions.ts';
import { signEvidence, type SigningJwk } from './jws.ts';
import { methodMixSection } from './methods.ts';
import { EVIDENCE_VERSION, type EvidencePack, type EvidencePeriod } from './model.ts';
import { gatherPeople } from './people.ts';
import { policySection } from './policies.ts';
import { postureSection } from './posture.ts';
import { signinSection } from './signins.ts';
import { tapSection } from './taps.ts';

export interface EvidenceContext {
  store: Store;
  config: Config;
}

/** What the callers above this layer hand in: the posture checklist (recovery adds to its facts) and the OIDC key set. */
export interface EvidenceInputs {
  posture: readonly PostureRow[];
  signingKeys: readonly SigningJwk[];
}

/** The pack signed: the exact bytes of evidence.json, the compact JWS over them, its key id and their SHA-256. */
export interface SignedEvidence {
  pack: EvidencePack;
  json: Buffer;
  jws: string;
  kid: string;
  sha256: string;
}

export async function assembleEvidence(ctx: EvidenceContext, period: EvidencePeriod, posture: readonly PostureRow[], now = new Date()): Promise<EvidencePack> {
  const db = ctx.store.db;
  const nameOf = actorNamer(db);
  const people = await gatherPeople(db);
  const policies = await listPolicies(db);
  return {
    version: EVIDENCE_VERSION,
    period: { from: period.from, to: period.to },
    generatedAt: now.toISOString(),
    issuer: ctx.config.issuer,
    organisation: ctx.config.branding?.name ?? DEFAULT_ORG_NAME,
    sections: [
      postureSection(posture),
      await coverageSection(db, people, policies, now),
      methodMixSection(people),
      await policySection(policies, now, nameOf),
      await exceptionSection(db, period, nameOf),
      await breakGlassSection(db, period, nameOf),
      await recoveryCaseSection(db, period, nameOf),
      await tapSection(db, period, nameOf),
      await signinSection(db, period),
      await auditSection(ctx.store, ctx.config, period),
    ],
  };
}

/**
 * Builds and signs the pack and audits the export: who made it, for which
 * period, and the SHA-256 of what was signed, so the log ties to the file.
 * `person` is the person the command line names with --as.
 */
export async function exportEvidence(ctx: EvidenceContext, period: EvidencePeriod, inputs: EvidenceInputs, by: ChangedBy & { person?: string }): Promise<SignedEvidence> {
  const pack = await assembleEvidence(ctx, period, inputs.posture);
  const json = Buffer.from(JSON.stringify(pack, null, 2) + '\n', 'utf8');
  const { jws, kid } = await signEvidence(json, inputs.signingKeys);
  const sha256 = createHash('sha256').update(json).digest('hex');
  await recordAudit(ctx.store, {
    actor: by.actor, action: 'evidence.export', target: 'evidence', requestId: by.requestId,
    after: { from: period.fromDate, to: period.toDate, sha256, kid, ...(by.person ? { person: by.person } : {}) },
  });
  return { pack, json, jws, kid, sha256 };
}
