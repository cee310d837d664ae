import { registerWebauthnRecorder } from '../methods/webauthn/suspension.ts';
import { raiseAlert } from './alerts.ts';

/**
 * A clone signal of a security key or passkey is a high alert: a copy of the
 * authenticator may be in someone else's hands. Raised in the transaction that
 * suspends the credential. Registered at the composition root.
 */
export function installWebauthnRecorder(): void {
  registerWebauthnRecorder({
    async cloneDetected(db, s) {
      const user = await db.selectFrom('users').select('username').where('id', '=', s.userId).executeTakeFirst();
      await raiseAlert(db, {
        severity: 'high', kind: 'webauthn.clone_detected', userId: s.userId, username: user?.username ?? null, at: s.at,
        details: { credentialId: s.credentialId, name: s.name, aaguid: s.aaguid, storedSignCount: s.storedSignCount, presentedSignCount: s.presentedSignCount, ip: s.ip, suspended: true },
      });
    },
  });
}
