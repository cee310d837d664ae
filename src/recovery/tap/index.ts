/** Temporary Access Pass: issue (with four-eyes for privileged accounts), approve, revoke, show, verify; the policy. */
export { issueTap, issueTapSchema, type IssueTapInput, type IssuedTap } from './issue.ts';
export { approveTap } from './approve.ts';
export { getTap, listTaps, revokeTap, revokeTapIn } from './manage.ts';
export { tapSessionNotAfter, verifyTap, type TapCheck, type TapRefusal, type VerifyTapInput } from './verify.ts';
export { DEFAULT_TAP_POLICY, loadTapPolicy, setTapPolicy, TAP_LIMITS, tapPolicyPatchSchema, type TapPolicy, type TapPolicyPatch } from './policy.ts';
export { stateOf, type TapState, type TapView } from './model.ts';
export { TAP_ALPHABET } from './pass.ts';
