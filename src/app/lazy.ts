/**
 * A library loaded the first time a feature needs it, not at start-up. The
 * server imports some libraries (mail, SAML, Web Push, QR codes…) for features
 * many installations never use, or use rarely; loaded up front, each holds
 * megabytes of memory in every server process from the first second. The
 * first caller pays the load (tens of milliseconds at most); later callers get
 * the same module at once. A load that fails is not kept, so the next call
 * tries again and reports its own error.
 */
export function lazyModule<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () => {
    loading ??= load().catch((err: unknown) => {
      loading = undefined;
      throw err;
    });
    return loading;
  };
}
