import { Injectable, Logger } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { InjectDataSource } from '@nestjs/typeorm';
import { isUUID } from 'class-validator';
import type { Request } from 'express';
import { DataSource } from 'typeorm';
import { Authenticator } from '../../common/access/authenticator';
import type { PartyType, Principal, Role } from '../../common/access/roles';
import { AppException } from '../../common/errors';
import { preparedQuery } from '../../common/prepared-query';
import { API_KEY_TOUCH_INTERVAL_MS, AccessTokenClaims } from './auth.constants';
import { parseApiKey, sameDigest, sha256Hex } from './token-crypto';

const unauthenticated = (message: string) => new AppException('UNAUTHENTICATED', message);

/** Access tokens whose signature was already verified, up to this many, until they expire. */
const VERIFIED_TOKENS_MAX = 10_000;

const SESSION_SQL = `SELECT u.party_id, u.roles, u.language, p.type AS party_type
   FROM auth_session s
   JOIN app_user u ON u.id = s.user_id
   JOIN party p ON p.id = u.party_id
  WHERE s.id = $1 AND s.user_id = $2 AND s.revoked_at IS NULL AND s.expires_at > now() AND u.active AND p.active`;

/**
 * Bearer access tokens (JWT) and API keys (`X-API-Key: salw_…` or `Authorization: Bearer salw_…`).
 * Each request re-reads the session or key with its user in one query, so a logout, a revoked
 * key, a reused refresh token or a deactivated user stops access at once, and roles are current.
 * What is remembered between requests is only that a token's signature is valid (until the
 * token's own expiry), which no later event can change.
 */
@Injectable()
export class TokenAuthenticator extends Authenticator {
  private readonly logger = new Logger('TokenAuthenticator');
  /** token → its verified claims and expiry (ms); insertion order gives the oldest to evict. */
  private readonly verified = new Map<string, { claims: AccessTokenClaims; expiresAt: number }>();

  constructor(
    private readonly jwt: JwtService,
    @InjectDataSource() private readonly db: DataSource,
  ) {
    super();
  }

  async authenticate(req: Request): Promise<Principal | null> {
    const apiKey = req.header('x-api-key');
    const authorization = req.header('authorization');
    if (apiKey !== undefined && authorization !== undefined) {
      throw unauthenticated('Send either an Authorization header or an X-API-Key header, not both');
    }
    if (apiKey !== undefined) return this.fromApiKey(apiKey.trim());
    if (authorization === undefined) return null;
    const match = /^Bearer[ ]+(\S+)\s*$/i.exec(authorization);
    if (!match) throw unauthenticated('Use Authorization: Bearer <token>');
    const token = match[1];
    return token.startsWith('salw_') ? this.fromApiKey(token) : this.fromAccessToken(token);
  }

  /** The claims of a valid, unexpired access token (the signature checked once per token). */
  private async verify(token: string): Promise<AccessTokenClaims> {
    const known = this.verified.get(token);
    if (known && Date.now() < known.expiresAt) return known.claims;
    if (known) this.verified.delete(token);
    let claims: AccessTokenClaims & { exp?: number };
    try {
      claims = await this.jwt.verifyAsync<AccessTokenClaims & { exp?: number }>(token);
    } catch {
      throw unauthenticated('Invalid or expired access token');
    }
    if (typeof claims.exp === 'number') {
      if (this.verified.size >= VERIFIED_TOKENS_MAX) {
        this.verified.delete(this.verified.keys().next().value as string);
      }
      this.verified.set(token, { claims, expiresAt: claims.exp * 1000 });
    }
    return claims;
  }

  private async fromAccessToken(token: string): Promise<Principal> {
    const claims = await this.verify(token);
    if (!isUUID(claims.sub) || !isUUID(claims.sid)) throw unauthenticated('Invalid access token');
    const [row] = await preparedQuery<{
      party_id: string;
      roles: Role[];
      language: string;
      party_type: PartyType;
    }>(this.db, 'auth-session-principal', SESSION_SQL, [claims.sid, claims.sub]);
    if (!row) throw unauthenticated('The session has ended; sign in again');
    return {
      kind: 'user',
      userId: claims.sub,
      partyId: row.party_id,
      partyType: row.party_type,
      roles: row.roles,
      sessionId: claims.sid,
      language: row.language,
    };
  }

  private async fromApiKey(key: string): Promise<Principal> {
    const parsed = parseApiKey(key);
    if (!parsed) throw unauthenticated('Malformed API key');
    // A key acts for its creator: it stops when they are deactivated or no longer hold its role.
    const [row] = (await this.db.query(
      `SELECT k.id, k.party_id, k.role, k.secret_hash, k.created_by, k.last_used_at, u.language,
              p.type AS party_type
         FROM api_key k
         JOIN app_user u ON u.id = k.created_by
         JOIN party p ON p.id = k.party_id
        WHERE k.prefix = $1 AND k.revoked_at IS NULL AND u.active AND p.active AND k.role = ANY(u.roles)`,
      [parsed.prefix],
    )) as {
      id: string;
      party_id: string;
      role: Role;
      secret_hash: string;
      created_by: string;
      last_used_at: Date | null;
      language: string;
      party_type: PartyType;
    }[];
    if (!row || !sameDigest(row.secret_hash, sha256Hex(parsed.secret))) {
      throw unauthenticated('Invalid or revoked API key');
    }
    if (!row.last_used_at || Date.now() - row.last_used_at.getTime() >= API_KEY_TOUCH_INTERVAL_MS) {
      await this.touch(row.id);
    }
    return {
      kind: 'api_key',
      userId: row.created_by,
      partyId: row.party_id,
      partyType: row.party_type,
      roles: [row.role],
      apiKeyId: row.id,
      language: row.language,
    };
  }

  /** At most one write a minute per key, even with many API processes. */
  private async touch(id: string): Promise<void> {
    try {
      await this.db.query(
        `UPDATE api_key SET last_used_at = now()
          WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - make_interval(secs => $2))`,
        [id, API_KEY_TOUCH_INTERVAL_MS / 1000],
      );
    } catch (error) {
      this.logger.warn(`Could not record the use of API key ${id}: ${(error as Error).message}`);
    }
  }
}
