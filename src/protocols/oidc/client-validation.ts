import { generateKeyPairSync } from 'node:crypto';
import Provider, { type Adapter, type AdapterPayload } from 'oidc-provider';
import { ClientError } from './clients.ts';
import { staticSettings } from './settings.ts';

/**
 * Checks client metadata with oidc-provider's own rules before we store it, so
 * a client that is saved is a client the provider will load. Uses a throw-away
 * provider with the same static settings; it stores nothing.
 */
let validator: Provider | undefined;

const nothingStored: Adapter = {
  upsert: async () => {},
  find: async () => undefined,
  findByUid: async () => undefined,
  findByUserCode: async () => undefined,
  consume: async () => {},
  destroy: async () => {},
  revokeByGrantId: async () => {},
};

function validatingProvider(): Provider {
  if (!validator) {
    // Same algorithms as the real key set, so the same alg rules apply.
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    validator = new Provider('https://client-validation.invalid', {
      ...staticSettings(),
      adapter: () => nothingStored,
      jwks: {
        keys: [
          { ...rsa.export({ format: 'jwk' }), alg: 'RS256', use: 'sig' },
          { ...ec.export({ format: 'jwk' }), alg: 'ES256', use: 'sig' },
        ],
      },
      findAccount: async () => undefined,
    });
  }
  return validator;
}

export async function validateClientMetadata(metadata: AdapterPayload): Promise<void> {
  try {
    await validatingProvider().Client.validate(metadata);
  } catch (err) {
    const e = err as { error_description?: string; message?: string };
    throw new ClientError('invalid', e.error_description ?? e.message ?? 'client metadata is not valid');
  }
}
