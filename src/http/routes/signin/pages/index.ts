import type { StepPage } from './page.ts';
import { identifyPage } from './identify.ts';
import { passwordPage } from './password.ts';
import { totpPage } from './totp.ts';
import { backupCodePage } from './backup-code.ts';
import { choosePage } from './choose.ts';
import { registerTotpPage } from './register-totp.ts';
import { failedPage } from './failed.ts';
import { tapPage } from './tap.ts';
import { webauthnPage } from './webauthn.ts';
import { registerWebauthnPage } from './webauthn-register.ts';
import { blockedPage } from './blocked.ts';
import { campaignPage } from './campaign.ts';
import { pushPage } from './push.ts';
import { smsPage, voicePage } from './sms.ts';
import { resetDonePage, resetPage, resetPasswordPage } from './reset.ts';

/** Every sign-in page, one per transaction step. */
export const STEP_PAGES: readonly StepPage[] = [
  identifyPage,
  passwordPage,
  totpPage,
  backupCodePage,
  choosePage,
  registerTotpPage,
  tapPage,
  webauthnPage,
  registerWebauthnPage,
  blockedPage,
  campaignPage,
  pushPage,
  smsPage,
  voicePage,
  resetPage,
  resetPasswordPage,
  resetDonePage,
  failedPage,
];

export function pageFor(step: string): StepPage {
  return STEP_PAGES.find((p) => p.step === step) ?? failedPage;
}

/** The page whose form posts to this action, if any. */
export function pageForAction(name: string): StepPage | undefined {
  return STEP_PAGES.find((p) => p.actions && Object.hasOwn(p.actions, name));
}
