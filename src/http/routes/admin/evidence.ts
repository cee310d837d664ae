import { z } from 'zod';
import { evidencePeriod, exportEvidence } from '../../../monitor/evidence/index.ts';
import { loadSigningKeySet } from '../../../protocols/oidc/signing-keys.ts';
import { postureNow } from '../../../recovery/posture.ts';
import { defineOperation, type Operation } from './operation.ts';

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date like 2026-01-31');

export const evidenceOperations: Operation[] = [
  defineOperation({
    method: 'GET', path: '/evidence', operationId: 'getEvidence', tag: 'evidence', permission: 'audit:read',
    summary: 'The evidence pack for a period (whole UTC days): the JSON, and a compact JWS over its exact bytes signed with an OIDC signing key (verify it with the issuer\'s JWKS). Audited.',
    query: z.object({ from: day.describe('First day, YYYY-MM-DD'), to: day.describe('Last day, YYYY-MM-DD') }),
    response: z.object({
      evidence: z.record(z.string(), z.unknown()).describe('evidence.json, parsed; the JWS payload holds its exact bytes'),
      jws: z.string().describe('Compact JWS (typ evidence+json) whose payload is evidence.json'),
      keyId: z.string(),
      sha256: z.string().describe('SHA-256 (hex) of evidence.json as signed'),
    }),
    handler: async ({ ctx, query, by }) => {
      const db = ctx.store.db;
      const signed = await exportEvidence(ctx, evidencePeriod(query.from, query.to), { posture: await postureNow(db), signingKeys: (await loadSigningKeySet(db, ctx.secrets)).keys }, by);
      return { evidence: { ...signed.pack }, jws: signed.jws, keyId: signed.kid, sha256: signed.sha256 };
    },
  }),
];
