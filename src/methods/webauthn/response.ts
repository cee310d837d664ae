import { z } from 'zod';
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';

/**
 * The browser's answers as JSON (what @simplewebauthn/browser produces),
 * checked for shape and size before the library looks at them. Bad input is
 * reported as not valid, never thrown at the caller.
 */
const b64u = (max: number) => z.string().regex(/^[A-Za-z0-9_-]*$/, 'must be base64url').max(max);

const common = {
  id: b64u(1400).min(1),
  rawId: b64u(1400).min(1),
  type: z.literal('public-key'),
  authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
  clientExtensionResults: z.record(z.string(), z.unknown()).default({}),
};

const registrationSchema = z.object({
  ...common,
  response: z.object({
    clientDataJSON: b64u(8192),
    attestationObject: b64u(48_000),
    transports: z.array(z.string().max(32)).max(10).optional(),
    authenticatorData: b64u(8192).optional(),
    publicKey: b64u(4096).optional(),
    publicKeyAlgorithm: z.number().optional(),
  }),
});

const authenticationSchema = z.object({
  ...common,
  response: z.object({
    clientDataJSON: b64u(8192),
    authenticatorData: b64u(8192),
    signature: b64u(4096),
    userHandle: b64u(256).optional().nullable(),
  }),
});

/** The raw form field or JSON body: a JSON string or an already parsed object. */
function asObject(input: unknown): unknown {
  if (typeof input !== 'string') return input;
  if (input.length > 64_000) return null;
  try {
    return JSON.parse(input);
  } catch {
    return null;
  }
}

export function parseRegistrationResponse(input: unknown): RegistrationResponseJSON | null {
  const parsed = registrationSchema.safeParse(asObject(input));
  return parsed.success ? (parsed.data as unknown as RegistrationResponseJSON) : null;
}

export function parseAuthenticationResponse(input: unknown): AuthenticationResponseJSON | null {
  const parsed = authenticationSchema.safeParse(asObject(input));
  if (!parsed.success) return null;
  const { userHandle, ...rest } = parsed.data.response;
  return { ...parsed.data, response: { ...rest, ...(userHandle ? { userHandle } : {}) } } as unknown as AuthenticationResponseJSON;
}

/** WebAuthn's user handle for a user: the bytes of the user's id (a random UUID, nothing personal). */
export function userHandleOf(userId: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(Buffer.from(userId, 'utf8'));
}

export function userIdFromHandle(handle: string | undefined | null): string | null {
  if (!handle) return null;
  const id = Buffer.from(handle, 'base64url').toString('utf8');
  return /^[0-9a-f-]{36}$/i.test(id) ? id : null;
}
