/** The evidence pack: what the CLI and the admin API call. */
export { evidencePeriod } from './period.ts';
export { exportEvidence, assembleEvidence, type SignedEvidence, type EvidenceInputs } from './assemble.ts';
export { writeEvidenceFiles, type WrittenEvidence } from './files.ts';
export { EVIDENCE_JWS_TYPE, type SigningJwk } from './jws.ts';
export type { EvidencePack } from './model.ts';
