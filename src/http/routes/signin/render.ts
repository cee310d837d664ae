import type { FastifyReply } from 'fastify';
import type { AppContext } from '../../../app/context.ts';
import { page, type SafeHtml } from '../../html.ts';
import type { SigninTransaction } from '../../../signin/transaction.ts';
import { ensureTotpEnrolment } from '../../../signin/steps/register.ts';
import { availableSecondFactors } from '../../../signin/steps/next.ts';
import { csrfToken } from './cookies.ts';
import {
  backupCodeView, chooseView, failedView, identifyView, passwordView, registerTotpView, totpView, type ViewInput,
} from './views.ts';

const TITLES: Record<string, string> = {
  identify: 'Sign in',
  password: 'Password',
  totp: 'Verification code',
  backup_code: 'Backup code',
  choose: 'Choose a method',
  register_totp: 'Set up your authenticator',
  failed: 'Sign-in stopped',
};

/** Renders the page for the transaction's current step. */
export async function renderStep(
  ctx: AppContext,
  reply: FastifyReply,
  t: SigninTransaction,
  bindingSecret: string,
  error?: string,
  status = 200,
): Promise<FastifyReply> {
  const v: ViewInput = { t, csrf: csrfToken(bindingSecret), error, appName: t.clientId };
  let body: SafeHtml;
  switch (t.step) {
    case 'identify':
      body = identifyView(v);
      break;
    case 'password':
      body = passwordView(v);
      break;
    case 'totp':
      body = totpView(v);
      break;
    case 'backup_code':
      body = backupCodeView(v);
      break;
    case 'choose':
      body = chooseView({ ...v, options: t.userId ? await availableSecondFactors(ctx, t.userId) : [] });
      break;
    case 'register_totp': {
      const enrolment = await ensureTotpEnrolment(ctx, t);
      body = registerTotpView({ ...v, secret: enrolment.secretBase32, qr: enrolment.qrSvg, uri: enrolment.otpauthUri });
      break;
    }
    default:
      body = failedView(v);
  }
  return reply
    .status(status)
    .type('text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .send(page({ title: TITLES[t.step] ?? 'Sign in', body }));
}
