import { AsyncLocalStorage } from 'node:async_hooks';
import type { FastifyInstance } from 'fastify';
import { DEFAULT_ORG_NAME, type BrandingConfig } from '../config/branding.ts';
import type { Config } from '../config/config.ts';

/**
 * The organisation's name and logo as the pages show them. The console and
 * any page built outside html.ts's page() call branding(config); page() finds
 * it for the request it is rendering (set by the hook useBranding adds), so
 * no page has to pass it along.
 */
export interface Branding {
  name: string;
  /** Where the logo is served; null without one. */
  logoUrl: string | null;
}

const LOGO_PATH = '/branding/logo';
const EXTENSIONS = { 'image/png': 'png', 'image/svg+xml': 'svg' } as const;

function logoUrlOf(config: BrandingConfig | undefined): string | null {
  const logo = config?.logo;
  return logo ? `${LOGO_PATH}-${logo.version}.${EXTENSIONS[logo.contentType]}` : null;
}

export function branding(config: Pick<Config, 'branding'>): Branding {
  return { name: config.branding?.name ?? DEFAULT_ORG_NAME, logoUrl: logoUrlOf(config.branding) };
}

const current = new AsyncLocalStorage<Branding>();
const DEFAULT: Branding = { name: DEFAULT_ORG_NAME, logoUrl: null };

/** The branding of the request being handled; the default outside one. */
export function currentBranding(): Branding {
  return current.getStore() ?? DEFAULT;
}

/**
 * Makes every request see this server's branding and serves the logo. Its
 * URL holds a hash of the file, so it can be cached for a year; a new logo
 * is a new URL. An SVG opened on its own gets a sandbox, so it can never run
 * script as this origin (start-up refuses SVGs with scripts anyway).
 */
export function useBranding(app: FastifyInstance, config: Pick<Config, 'branding'>): void {
  const brand = branding(config);
  app.addHook('onRequest', (_request, _reply, done) => current.run(brand, done));
  const logo = config.branding?.logo;
  if (!logo || !brand.logoUrl) return;
  app.get(brand.logoUrl, async (_request, reply) =>
    reply
      .type(logo.contentType)
      .header('cache-control', 'public, max-age=31536000, immutable')
      .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; sandbox")
      .send(logo.data),
  );
}
