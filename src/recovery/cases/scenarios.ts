/**
 * The three helpdesk runbooks, each an ordered list of steps. A case walks
 * its scenario's steps in order; a step may be skipped only with a reason,
 * except those marked required (checking who is calling is never skipped:
 * "don't give a pass to whoever calls").
 */
export const CASE_STEPS = [
  'verify_identity',
  'issue_tap',
  'approve_tap',
  'deliver_tap',
  'new_method_registered',
  'old_device_removed',
  'signin_confirmed',
  'close',
] as const;
export type CaseStep = (typeof CASE_STEPS)[number];

export const SCENARIOS = ['planned_phone_change', 'lost_phone', 'first_device'] as const;
export type Scenario = (typeof SCENARIOS)[number];

export interface ScenarioDefinition {
  title: string;
  steps: readonly CaseStep[];
}

export const SCENARIO_DEFINITIONS: Record<Scenario, ScenarioDefinition> = {
  // The person still has the old phone: a pass only if restoring the authenticator fails (skip it otherwise).
  planned_phone_change: {
    title: 'Planned phone change',
    steps: ['verify_identity', 'issue_tap', 'approve_tap', 'deliver_tap', 'new_method_registered', 'old_device_removed', 'signin_confirmed', 'close'],
  },
  // The person cannot approve anything: verify, a short one-time pass, re-register, remove the lost phone.
  lost_phone: {
    title: 'Lost or broken phone',
    steps: ['verify_identity', 'issue_tap', 'approve_tap', 'deliver_tap', 'new_method_registered', 'old_device_removed', 'signin_confirmed', 'close'],
  },
  // No method yet: the pass bootstraps the first one. There is no old device.
  first_device: {
    title: 'New employee, first device',
    steps: ['verify_identity', 'issue_tap', 'approve_tap', 'deliver_tap', 'new_method_registered', 'signin_confirmed', 'close'],
  },
};

/**
 * Steps that can never be skipped. approve_tap is a step only while the
 * case's pass waits for a second privileged person (a privileged account, or
 * an approver named); a pass that needs none passes it by.
 */
export const REQUIRED_STEPS: readonly CaseStep[] = ['verify_identity', 'approve_tap', 'close'];

/** How the helpdesk checked who is asking: a fixed list, so reports can count them. */
export const IDENTITY_METHODS = ['callback_number_on_file', 'manager_confirmation', 'in_person_id', 'video_call'] as const;
export type IdentityMethod = (typeof IDENTITY_METHODS)[number];

/** How the pass reached the person. Email is not among them (see REFUSED_CHANNELS). */
export const DELIVERY_CHANNELS = ['phone_call', 'in_person', 'encrypted_message'] as const;
export type DeliveryChannel = (typeof DELIVERY_CHANNELS)[number];

export const REFUSED_CHANNELS: Record<string, string> = {
  email:
    'email is refused for a Temporary Access Pass: mail is stored and forwarded in the clear, and the mailbox is often the very account being recovered (or already in an attacker\'s hands); use a phone call, in person or an encrypted message',
  sms:
    'text messages are refused for a Temporary Access Pass: a swapped SIM receives them; use a phone call, in person or an encrypted message',
};

export function isScenario(v: string): v is Scenario {
  return (SCENARIOS as readonly string[]).includes(v);
}

export function isCaseStep(v: string): v is CaseStep {
  return (CASE_STEPS as readonly string[]).includes(v);
}
