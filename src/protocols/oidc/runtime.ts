import type Provider from 'oidc-provider';
import type { AppContext } from '../../app/context.ts';
import { createOidcProvider } from './provider.ts';
import { answerStoreOutagesWith503 } from './outage.ts';
import { addAppFormTargets } from './form-targets.ts';
import { loadSigningKeySet, signingKeysFingerprint } from './signing-keys.ts';

/**
 * Holds this node's provider and swaps it for a fresh one when the signing keys
 * change (tessera keys rotate/retire may run on any node or from the CLI).
 * oidc-provider fixes its keystore at construction and offers no way to swap
 * it, so a reload builds a new Provider; all of its state is in the store, so
 * requests in flight on the old one finish normally and new ones use the new.
 */
export class OidcRuntime {
  #ctx: AppContext;
  #provider: Provider;
  #fingerprint: string;
  #reloading: Promise<boolean> | null = null;

  private constructor(ctx: AppContext, provider: Provider, fingerprint: string) {
    this.#ctx = ctx;
    this.#provider = provider;
    this.#fingerprint = fingerprint;
  }

  static async start(ctx: AppContext): Promise<OidcRuntime> {
    const provider = await createOidcProvider(ctx);
    answerStoreOutagesWith503(provider);
    addAppFormTargets(provider);
    return new OidcRuntime(ctx, provider, await signingKeysFingerprint(ctx.store.db));
  }

  get provider(): Provider {
    return this.#provider;
  }

  /** Rebuilds the provider if the published key set changed; true when it did. */
  reloadIfKeysChanged(): Promise<boolean> {
    this.#reloading ??= this.#reload().finally(() => {
      this.#reloading = null;
    });
    return this.#reloading;
  }

  async #reload(): Promise<boolean> {
    const current = await signingKeysFingerprint(this.#ctx.store.db);
    if (current === this.#fingerprint) return false;
    const signingKeys = await loadSigningKeySet(this.#ctx.store.db, this.#ctx.secrets);
    const provider = await createOidcProvider(this.#ctx, { signingKeys });
    answerStoreOutagesWith503(provider);
    addAppFormTargets(provider);
    this.#provider = provider;
    this.#fingerprint = signingKeys.fingerprint;
    this.#ctx.logger.info({ keys: signingKeys.keys.map((k) => k.kid) }, 'OIDC signing keys changed; provider reloaded');
    return true;
  }
}
