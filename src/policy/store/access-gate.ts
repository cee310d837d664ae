import type { Db, Tx } from '../../store/store.ts';
import { decideAccess } from '../access/decide.ts';
import type { AccessDecision, GrantPoint } from '../access/request.ts';
import type { ClientType } from '../document.ts';
import type { SigninFacts } from '../model.ts';
import type { MethodUseLike } from '../strength-port.ts';
import { configSnapshot, readSigninConfig, type ConfigSnapshot } from './config-snapshot.ts';
import { gatherFacts, loadSubject, type KnownSubject } from './facts.ts';
import { signinDevice } from './device-binding.ts';
import { countryOf } from '../geo/country.ts';

/**
 * The I/O side of the access decision: gather the facts of one request from
 * the store, take the configuration snapshot, and ask the pure decision
 * (src/policy/access/decide.ts). Every grant point calls one of these two.
 */
export interface AccessAsk {
  via: GrantPoint;
  userId: string;
  /** OIDC client id; null for the account portal. */
  clientId: string | null;
  clientType?: ClientType;
  ip: string | null;
  methodsUsed: readonly MethodUseLike[];
  /** When those methods were proven; null: in this request (a sign-in in progress). */
  authTime: Date | null;
  /** When the person last used the app (a console session's last request), for a policy's idle limit. */
  lastActiveAt?: Date | null;
  requestedAcr?: readonly string[];
  /** The device, when known; otherwise the one the transaction presented a device token from. */
  deviceId?: string | null;
  transactionId?: string;
  now?: Date;
  /** The person as the caller already loaded them in this step. */
  subject?: KnownSubject;
  /** The configuration the caller already holds for this step (inside a transaction: read afresh). */
  config?: ConfigSnapshot;
  /** The person is on a recovery hold (the engine asks recovery through its hooks). */
  recoveryHold?: boolean;
}

export interface AccessAnswer {
  decision: AccessDecision;
  /** The person, as loaded for the decision; null when the account no longer exists. */
  subject: KnownSubject | null;
  config: ConfigSnapshot;
}

const GONE: SigninFacts['user'] = { id: '', username: '', kind: 'person', groups: [], roles: [], registeredMethods: [] };

export async function askAccess(db: Db | Tx, input: AccessAsk): Promise<AccessAnswer> {
  const now = input.now ?? new Date();
  const config = input.config ?? (await snapshotFor(db, now));
  const subject = input.subject?.user.id === input.userId ? input.subject : await loadSubject(db, input.userId);
  const deviceId = input.deviceId ?? (input.transactionId ? await signinDevice(db, input.transactionId) : null);
  const facts = subject
    ? await gatherFacts(db, config.set, {
        userId: input.userId, app: input.clientId, ip: input.ip, deviceId, clientType: input.clientType,
        methodsUsed: input.methodsUsed, now, subject, riskOnlyWhenUsed: true,
      })
    : null;
  const decision = decideAccess(config, {
    via: input.via,
    facts: facts ?? emptyFacts(now, input),
    active: subject?.user.status === 'active',
    requestedAcr: input.requestedAcr ?? [],
    authTime: input.authTime,
    lastActiveAt: input.lastActiveAt ?? null,
    recoveryHold: input.recoveryHold,
  });
  return { decision, subject, config };
}

/** A service (an app using its own credentials): no person, no factors; only policies naming client type service apply. */
export async function askServiceAccess(db: Db, input: { clientId: string; ip: string | null; now?: Date }): Promise<AccessDecision> {
  const now = input.now ?? new Date();
  const config = await configSnapshot({ db }, now);
  const needsCountry = config.set.namedLocations.some((l) => l.countries?.length);
  const facts: SigninFacts = {
    now,
    user: { id: `client:${input.clientId}`, username: input.clientId, kind: 'service', groups: [], roles: [], registeredMethods: [] },
    app: input.clientId,
    ip: input.ip,
    country: needsCountry ? countryOf(input.ip) : null,
    device: null,
    clientType: 'service',
    signInRisk: 'none',
    userRisk: 'none',
    methodsUsed: [],
  };
  return decideAccess(config, { via: 'client_credentials', facts, active: true, requestedAcr: [], authTime: null });
}

function emptyFacts(now: Date, input: AccessAsk): SigninFacts {
  return {
    now, user: GONE, app: input.clientId ?? '', ip: input.ip, country: null, device: null, clientType: input.clientType ?? 'browser',
    signInRisk: 'none', userRisk: 'none', methodsUsed: input.methodsUsed,
  };
}

function snapshotFor(db: Db | Tx, now: Date): Promise<ConfigSnapshot> {
  // Inside a transaction the configuration may be changing: read it afresh there.
  return db.isTransaction ? readSigninConfig(db, now) : configSnapshot({ db: db as Db }, now);
}
