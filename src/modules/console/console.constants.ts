/** The console's pages live under /app, outside the /api/v1 prefix (see src/bootstrap.ts). */
export const CONSOLE_PREFIX = 'app';

/** The signed console session cookie (HttpOnly; names an auth_session row). */
export const SESSION_COOKIE = 'salw_console';
/** A random, HttpOnly cookie that binds the sign-in form's CSRF token before any session exists. */
export const PRE_SESSION_COOKIE = 'salw_pre';
/** Double-submit CSRF cookie (csrf-csrf); the token also travels in the `_csrf` form field. */
export const CSRF_COOKIE = 'salw_csrf';
export const CSRF_FIELD = '_csrf';
/** The language chosen with the switch (not secret, so readable; still HttpOnly). */
export const LANGUAGE_COOKIE = 'salw_lang';

/** A console session ends after this long without a request (the auth session may live longer). */
export const CONSOLE_IDLE_TIMEOUT_MS = 8 * 3600 * 1000;
/** The session's last use is written at most this often. */
export const CONSOLE_TOUCH_INTERVAL_MS = 60 * 1000;

/** Whether a request path belongs to the console. */
export function isConsolePath(path: string): boolean {
  return path === `/${CONSOLE_PREFIX}` || path.startsWith(`/${CONSOLE_PREFIX}/`);
}
