/**
 * The Content-Security-Policy of every page: our own scripts and styles only,
 * never framed. `form-action` is 'self' plus, on the pages whose forms end at an
 * app (see form-targets.ts), the places that app registered; any other target
 * for a form, injected or not, is refused by the browser.
 */
export function contentSecurityPolicy(formTargets: readonly string[] = []): string {
  const formAction = ["'self'", ...formTargets].join(' ');
  return (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
    `form-action ${formAction}; frame-ancestors 'none'; base-uri 'none'; object-src 'none'`
  );
}
