// Words the console shows for the codes the API answers with. One place, so
// every page says the same thing the same way.

export const STRENGTH = {
  phishing_resistant_mfa: 'Phishing-resistant MFA',
  passwordless_mfa: 'Passwordless MFA',
  mfa: 'MFA',
  none: 'Password only or nothing',
};

export const METHOD = {
  password: 'Password', totp: 'Authenticator app code', backup_code: 'Backup codes', webauthn: 'Security key or passkey',
  security_key: 'Security key', passkey: 'Passkey', push: 'Push approval', sms: 'Text message code', voice: 'Voice call code', tap: 'Temporary Access Pass',
};

export const RESULT = { success: 'Signed in', failure: 'Refused', locked: 'Locked', interrupted: 'Not finished' };

export const STATE = { enabled: 'Enforced', reportOnly: 'Report-only', disabled: 'Off' };

export const RISK = { none: 'none', low: 'low', medium: 'medium', high: 'high' };

export const SEVERITY = { low: 'Low', medium: 'Medium', high: 'High', critical: 'Critical' };

export const SCENARIO = { planned_phone_change: 'Planned phone change', lost_phone: 'Lost or broken phone', first_device: 'New employee, first device' };

export const STEP = {
  verify_identity: 'Verify who is asking',
  issue_tap: 'Issue a Temporary Access Pass',
  approve_tap: 'Second person approves the pass',
  deliver_tap: 'Give the pass to the person',
  new_method_registered: 'Confirm a new method is registered',
  old_device_removed: 'Remove the old device',
  signin_confirmed: 'Confirm the person can sign in',
  close: 'Close the case',
};

export const IDENTITY_CHECK = {
  callback_number_on_file: 'Called back on the number on file', manager_confirmation: 'Their manager confirmed',
  in_person_id: 'In person, with photo ID', video_call: 'Video call against the photo on file',
};

export const CHANNEL = { phone_call: 'Read out on a phone call', in_person: 'Handed over in person', encrypted_message: 'Encrypted message' };

export const USER_STATUS = { active: 'Active', disabled: 'Disabled' };

/** A sign-in log reason in plain words; an unknown one is shown with its underscores as spaces. */
export function reasonText(code) {
  const known = {
    ok: 'Signed in', session_reused: 'Already signed in', bad_password: 'Wrong password', unknown_user: 'No such account',
    policy_blocked: 'A policy blocked it', strength_not_met: 'A stronger sign-in was needed', sign_in_frequency_elapsed: 'Had to sign in again (time limit)',
    idle_limit_elapsed: 'Had to sign in again (idle)', user_disabled: 'Account disabled', throttled: 'Too many attempts',
  };
  return known[code] ?? String(code).replaceAll('_', ' ');
}

export const label = (map, code) => map[code] ?? String(code ?? '—').replaceAll('_', ' ');
