import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { isUUID } from 'class-validator';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { PartyType, Principal, Role } from '../../common/access/roles';
import { AppConfig } from '../../config/app-config';
import type { ClientInfo } from '../auth/auth.constants';
import { AuthService } from '../auth/auth.service';
import type { LoginDto } from '../auth/dto/login.dto';
import { CONSOLE_IDLE_TIMEOUT_MS, CONSOLE_TOUCH_INTERVAL_MS } from './console.constants';

/** A console user, as the layout shows them. */
export interface ConsoleUser {
  principal: Principal;
  name: string;
  email: string;
  partyName: string;
}

/** The `sid` claim of an access token this process has just issued (no need to verify it again). */
export function sessionIdOf(accessToken: string): string {
  const payload = accessToken.split('.')[1] ?? '';
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { sid?: string };
  if (!claims.sid || !isUUID(claims.sid)) throw new Error('The access token names no session');
  return claims.sid;
}

/**
 * Console sessions are the auth module's sign-in sessions (auth_session rows): the console signs
 * in through AuthService.login (same rate limits, TOTP, audit) and keeps only the session id in
 * an HttpOnly cookie, signed with a key derived from JWT_SECRET. Each request re-reads the
 * session with its user, so a logout, a revoked session or a deactivated account stops the
 * console at once; a session idle for CONSOLE_IDLE_TIMEOUT_MS ends.
 */
@Injectable()
export class ConsoleSessionService {
  private readonly key: Buffer;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly auth: AuthService,
    config: AppConfig,
  ) {
    this.key = createHmac('sha256', config.env.JWT_SECRET).update('salw-console-session').digest();
  }

  private sign(sessionId: string): string {
    return createHmac('sha256', this.key).update(sessionId).digest('base64url');
  }

  /** The cookie value for a session: `<session id>.<signature>`. */
  cookieFor(sessionId: string): string {
    return `${sessionId}.${this.sign(sessionId)}`;
  }

  /** The session id a cookie value names, when its signature is ours. */
  verify(cookie: string | undefined): string | null {
    if (!cookie) return null;
    const dot = cookie.indexOf('.');
    const id = cookie.slice(0, dot);
    if (dot < 0 || !isUUID(id)) return null;
    const given = Buffer.from(cookie.slice(dot + 1));
    const expected = Buffer.from(this.sign(id));
    return given.length === expected.length && timingSafeEqual(given, expected) ? id : null;
  }

  /** Signs in (password, then TOTP or a recovery code once enrolled); returns the cookie value. */
  async signIn(input: LoginDto, client: ClientInfo): Promise<string> {
    const tokens = await this.auth.login(input, client);
    return this.cookieFor(sessionIdOf(tokens.accessToken));
  }

  /** The user of a live session, or null (unknown, revoked, expired, idle or deactivated). */
  async userOf(cookie: string | undefined): Promise<ConsoleUser | null> {
    const sessionId = this.verify(cookie);
    if (!sessionId) return null;
    const [row] = (await this.db.query(
      `SELECT u.id AS user_id, u.party_id, u.roles, u.language, u.name, u.email,
              p.type AS party_type, p.name AS party_name,
              s.last_used_at < now() - make_interval(secs => $3) AS stale
         FROM auth_session s
         JOIN app_user u ON u.id = s.user_id
         JOIN party p ON p.id = u.party_id
        WHERE s.id = $1 AND s.revoked_at IS NULL AND s.expires_at > now()
          AND s.last_used_at > now() - make_interval(secs => $2) AND u.active AND p.active`,
      [sessionId, CONSOLE_IDLE_TIMEOUT_MS / 1000, CONSOLE_TOUCH_INTERVAL_MS / 1000],
    )) as {
      user_id: string;
      party_id: string;
      roles: Role[];
      language: string;
      name: string;
      email: string;
      party_type: PartyType;
      party_name: string;
      stale: boolean;
    }[];
    if (!row) return null;
    if (row.stale) {
      await this.db.query(`UPDATE auth_session SET last_used_at = now() WHERE id = $1`, [
        sessionId,
      ]);
    }
    return {
      principal: {
        kind: 'user',
        userId: row.user_id,
        partyId: row.party_id,
        partyType: row.party_type,
        roles: row.roles,
        sessionId,
        language: row.language,
      },
      name: row.name,
      email: row.email,
      partyName: row.party_name,
    };
  }

  /** Ends the session like the API's logout (revoked and audited). */
  async signOut(principal: Principal): Promise<void> {
    await this.auth.logout(principal);
  }
}
