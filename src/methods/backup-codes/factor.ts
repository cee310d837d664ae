import { fromVerifyResult, typedCode, type Factor } from '../factor.ts';
import { verifyBackupCode } from './service.ts';

/** One of the ten printed codes: each works once, throttled. */
export const backupCodeFactor: Factor = {
  method: 'backup_code',
  logAs: 'backup_code',
  first: false,
  async verify(ctx, a) {
    const code = typedCode(a.response);
    if (!code || !a.userId) return { ok: false, reason: 'invalid' };
    return fromVerifyResult(await verifyBackupCode(ctx, a.userId, code, { ip: a.ip }), a.userId, 'backup_code');
  },
};
