import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';
import { isStoreUnavailable, STORE_RETRY_AFTER_SECONDS } from '../../store/unavailable.ts';

/**
 * oidc-provider turns every failure inside it into 500 server_error. When the
 * failure was the store being unreachable, apps should wait and retry, so the
 * answer becomes 503 with Retry-After (JSON bodies say temporarily_unavailable;
 * a page keeps its text).
 */
export function answerStoreOutagesWith503(provider: Provider): void {
  const outages = new WeakSet<object>();
  provider.on('server_error', (kctx: KoaContextWithOIDC, err: unknown) => {
    if (isStoreUnavailable(err)) outages.add(kctx);
  });
  provider.use(async (kctx, next) => {
    await next();
    if (kctx.status !== 500 || !outages.has(kctx)) return;
    kctx.status = 503;
    (kctx as unknown as { set(name: string, value: string): void }).set('retry-after', String(STORE_RETRY_AFTER_SECONDS));
    if (kctx.body && typeof kctx.body === 'object' && !Buffer.isBuffer(kctx.body)) {
      kctx.body = { error: 'temporarily_unavailable', error_description: 'the database cannot be reached right now; try again shortly' };
    }
  });
}
