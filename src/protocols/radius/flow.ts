import { randomUUID } from 'node:crypto';
import type { AppContext } from '../../app/context.ts';
import { activePhones } from '../../methods/phone/codes.ts';
import { maskNumber } from '../../methods/phone/numbers.ts';
import { normalizeIp } from '../../policy/ip-ranges.ts';
import { completeSignin } from '../../signin/steps/complete.ts';
import { submitUsername } from '../../signin/steps/identify.ts';
import type { RequestFacts, StepOutcome } from '../../signin/steps/outcome.ts';
import { submitPassword } from '../../signin/steps/password.ts';
import { firstCodeNotice } from '../../signin/steps/phone.ts';
import { continuePush, pushStateFor } from '../../signin/steps/push.ts';
import { chooseMethod, submitSecondFactor } from '../../signin/steps/second-factor.ts';
import { loadTransaction, startTransaction, type SigninTransaction } from '../../signin/transaction.ts';
import { appIdOf, type KnownNas } from './clients.ts';
import { CODE, text, type Reply, type Request } from './packet.ts';
import { RADIUS_TEXT } from './texts.ts';

/**
 * An Access-Request is a sign-in of the engine (src/signin), driven without a
 * browser: the password step, then the access decision (client type radius,
 * the NAS as the app `radius:<name>`), then an Access-Challenge for the second
 * factor the engine asks for. The State names the stored transaction and its
 * binding secret, so any node continues it.
 */
export interface FlowOptions {
  /** How long a continuation waits for a push approval before asking again. */
  pushWaitMs: number;
}

const reject = (replyMessage?: string): Reply => ({ code: CODE.accessReject, replyMessage });

/** The person's address as the NAS reports it (a VPN's Calling-Station-Id), else null. */
function reportedAddress(request: Request): string | null {
  const calling = text(request, 'Calling-Station-Id');
  return calling && normalizeIp(calling) ? calling : null;
}

export async function answerAccessRequest(ctx: AppContext, nas: KnownNas, request: Request, source: string, options: FlowOptions): Promise<Reply> {
  const username = text(request, 'User-Name');
  const password = text(request, 'User-Password');
  if (!username) return reject();
  const reported = reportedAddress(request);
  const req: RequestFacts = { ip: reported ?? source, userAgent: `RADIUS ${nas.name}`, requestId: randomUUID() };
  const state = text(request, 'State');
  // An answer may be empty (Enter after approving a push); a first request needs the password (PAP).
  if (state) return continueChallenge(ctx, nas, state, username, password ?? '', { ...req, ip: reported ?? '' }, options);
  if (password === null) return reject(RADIUS_TEXT.passwordOnly);
  const { transaction: t, bindingSecret } = await startTransaction(ctx.store.db, { clientId: appIdOf(nas.name), ip: req.ip, userAgent: req.userAgent, clientType: 'radius' });
  await submitUsername(ctx, t, username);
  // Append mode: gear without challenge support sends the password immediately followed by the code.
  const appended = nas.mode === 'append' ? /^([\s\S]*?)(\d{6})$/.exec(password) : null;
  let o = await submitPassword(ctx, t, appended ? appended[1]! : password, req);
  if (appended && o.kind === 'show' && !o.error && o.transaction.step !== 'totp') o = await chooseMethod(ctx, t, 'totp');
  if (appended && o.kind === 'show' && !o.error && o.transaction.step === 'totp') o = await submitSecondFactor(ctx, t, 'totp', appended[2]!, req);
  // Gear in append mode cannot show a challenge: whatever is still missing is a refusal.
  if (nas.mode === 'append' && o.kind === 'show') return reject(o.error ?? RADIUS_TEXT.noMethodHere);
  return respond(ctx, o, `${t.id}.${bindingSecret}`, req);
}

async function continueChallenge(
  ctx: AppContext, nas: KnownNas, state: string, username: string, answer: string, req: RequestFacts, options: FlowOptions,
): Promise<Reply> {
  const [id, secret] = state.split('.');
  const t = id && secret ? await loadTransaction(ctx.store.db, id, secret) : null;
  // The State belongs to this NAS and this person; anything else is a dead end, not a lead.
  if (!t || t.clientType !== 'radius' || t.clientId !== appIdOf(nas.name) || t.usernameTyped?.toLowerCase() !== username.toLowerCase()) {
    return reject(RADIUS_TEXT.expired);
  }
  // A NAS that reported the address only with the first request: the sign-in keeps it.
  if (!req.ip) req.ip = t.ip ?? '';
  const typed = answer.trim();
  let o: StepOutcome;
  switch (t.step) {
    case 'totp':
      // One prompt takes either: a backup code has letters, an authenticator code does not.
      if (/[a-z]/i.test(typed)) {
        const chosen = await chooseMethod(ctx, t, 'backup_code');
        o = chosen.kind === 'show' && chosen.error ? chosen : await submitSecondFactor(ctx, t, 'backup_code', typed, req);
      } else o = await submitSecondFactor(ctx, t, 'totp', typed, req);
      break;
    case 'backup_code':
    case 'sms':
    case 'voice':
      o = await submitSecondFactor(ctx, t, t.step, typed, req);
      break;
    case 'push':
      o = await awaitPush(ctx, t, req, options.pushWaitMs);
      break;
    default:
      return reject(RADIUS_TEXT.expired);
  }
  return respond(ctx, o, state, req);
}

/** Holds the continuation while the approval may still come, within the NAS's patience. */
async function awaitPush(ctx: AppContext, t: SigninTransaction, req: RequestFacts, waitMs: number): Promise<StepOutcome> {
  const until = Date.now() + waitMs;
  for (;;) {
    const s = await pushStateFor(ctx, t, false);
    if (s.kind !== 'waiting' || Date.now() >= until) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  return continuePush(ctx, t, req);
}

/** What the engine said, as RADIUS: accept, a challenge for the next factor, or a reject with the reason. */
async function respond(ctx: AppContext, o: StepOutcome, state: string, req: RequestFacts): Promise<Reply> {
  if (o.kind === 'complete') {
    const c = await completeSignin(ctx, o.transaction, req, null, o.decision, { session: false });
    return c.kind === 'completed' ? { code: CODE.accessAccept, replyMessage: RADIUS_TEXT.welcome } : respond(ctx, c, state, req);
  }
  const t = o.transaction;
  const challenge = (prompt: string): Reply => ({ code: CODE.accessChallenge, state, replyMessage: o.error ? `${o.error} ${prompt}` : prompt });
  switch (t.step) {
    case 'totp':
      return challenge(RADIUS_TEXT.totp);
    case 'backup_code':
      return challenge(RADIUS_TEXT.backupCode);
    case 'sms':
    case 'voice': {
      const notice = await firstCodeNotice(ctx, t, t.step);
      if (notice) return reject(notice);
      const [phone] = await activePhones(ctx.store.db, t.userId!, t.step);
      return challenge(RADIUS_TEXT.phone(phone ? maskNumber(phone.number) : 'your phone'));
    }
    case 'push':
      return pushChallenge(ctx, t, state, o.error);
    case 'identify':
    case 'password':
    case 'blocked':
    case 'failed':
      return reject(o.error);
    default:
      // WebAuthn, registration and the roll-out campaign need a browser.
      return reject(RADIUS_TEXT.noMethodHere);
  }
}

async function pushChallenge(ctx: AppContext, t: SigninTransaction, state: string, error?: string): Promise<Reply> {
  const s = await pushStateFor(ctx, t, true);
  switch (s.kind) {
    case 'waiting':
      return { code: CODE.accessChallenge, state, replyMessage: error ? RADIUS_TEXT.pushWaiting(s.request.number) : RADIUS_TEXT.push(s.request.number) };
    case 'denied':
      return reject(RADIUS_TEXT.pushDenied);
    case 'expired':
      return reject(RADIUS_TEXT.pushExpired);
    case 'suspended':
      return reject(RADIUS_TEXT.pushPaused);
    case 'rate_limited':
      return reject(RADIUS_TEXT.pushLimited);
    case 'approved':
      return reject(RADIUS_TEXT.expired);
    case 'not_allowed':
      return reject(RADIUS_TEXT.noMethodHere);
  }
}
