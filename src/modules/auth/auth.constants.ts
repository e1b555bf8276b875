/** Access tokens (JWT HS256) live 15 minutes; the refresh token renews them. */
export const ACCESS_TOKEN_TTL_SECONDS = 15 * 60;
/** A refresh token, and the session it belongs to, live 30 days from the last refresh. */
export const REFRESH_TOKEN_TTL_MS = 30 * 24 * 3600 * 1000;
export const PASSWORD_RESET_TTL_MS = 3600 * 1000;
/** More unexpired reset links than this per user and hour are not sent (mail-bombing). */
export const PASSWORD_RESET_MAX_PER_HOUR = 5;
export const RECOVERY_CODE_COUNT = 10;
/** An API key's last use is written at most this often. */
export const API_KEY_TOUCH_INTERVAL_MS = 60 * 1000;

export const JWT_ISSUER = 'salw-platform';
export const JWT_AUDIENCE = 'salw-api';
export const TOTP_ISSUER = 'SALW Assistance Platform';

/** Claims of an access token. */
export interface AccessTokenClaims {
  /** User id. */
  sub: string;
  /** Party id. */
  pid: string;
  roles: string[];
  /** Session (refresh-token family) id. */
  sid: string;
}

export interface ClientInfo {
  ip?: string;
  userAgent?: string;
}
