/** Break-glass accounts: the readiness report (credentials, tests), recording tests, the test interval. */
export { breakGlassReport, MIN_PHISHING_RESISTANT, type BreakGlassAccount, type BreakGlassCredential, type BreakGlassReport, type BreakGlassTest } from './report.ts';
export { breakGlassTestSchema, recordBreakGlassTest, TEST_SIGNIN_WINDOW_MS } from './tests.ts';
export { breakGlassSettingsSchema, DEFAULT_TEST_INTERVAL_DAYS, loadBreakGlassSettings, setBreakGlassSettings, type BreakGlassSettings } from './settings.ts';
