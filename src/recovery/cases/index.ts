/** Helpdesk runbooks as cases: open, walk the steps in order (or skip with a reason), cancel, show, list. */
export { cancelCase, caseFilterSchema, getCase, listCases, openCase, openCaseSchema, recordStep, type CaseFilter, type OpenCaseInput, type StepOutcome } from './service.ts';
export type { CaseStepRecord, RecoveryCase } from './model.ts';
export {
  CASE_STEPS, DELIVERY_CHANNELS, IDENTITY_METHODS, REFUSED_CHANNELS, REQUIRED_STEPS, SCENARIO_DEFINITIONS, SCENARIOS,
  type CaseStep, type DeliveryChannel, type IdentityMethod, type Scenario,
} from './scenarios.ts';
export { stepInputSchema, type StepInput } from './steps/types.ts';
