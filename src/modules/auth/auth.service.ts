import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { InjectDataSource } from '@nestjs/typeorm';
import { ClsService } from 'nestjs-cls';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager, IsNull } from 'typeorm';
import type { PartyType, Principal, Role } from '../../common/access/roles';
import type { RequestContext } from '../../common/context/request-context';
import { AppException } from '../../common/errors';
import { AuditService } from '../audit/audit.service';
import { User } from '../users/user.entity';
import {
  ACCESS_TOKEN_TTL_SECONDS,
  AccessTokenClaims,
  ClientInfo,
  REFRESH_TOKEN_TTL_MS,
} from './auth.constants';
import { AuthSession } from './auth-session.entity';
import { LoginDto, TokenPairDto } from './dto/login.dto';
import { LoginOutcome } from './login-attempt.entity';
import { AttemptTicket, LoginAttemptsService, rateLimited } from './login-attempts.service';
import { PasswordService } from './password.service';
import { RefreshToken } from './refresh-token.entity';
import { randomToken, sha256Hex } from './token-crypto';
import { TotpService } from './totp.service';

/** The same answer whether the e-mail exists, the password is wrong or the account is off. */
const invalidCredentials = () => new AppException('UNAUTHENTICATED', 'Invalid email or password');

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

interface SessionOwner {
  userId: string;
  partyId: string;
  partyType: PartyType;
  roles: Role[];
  language: string;
}

function userPrincipal(owner: SessionOwner, sessionId: string): Principal {
  return {
    kind: 'user',
    userId: owner.userId,
    partyId: owner.partyId,
    partyType: owner.partyType,
    roles: owner.roles,
    sessionId,
    language: owner.language,
  };
}

/**
 * Sign-in sessions: login (password, then TOTP or a recovery code once enrolled), refresh-token
 * rotation with reuse detection (a used token presented again revokes its whole family), logout.
 */
@Injectable()
export class AuthService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly jwt: JwtService,
    private readonly passwords: PasswordService,
    private readonly attempts: LoginAttemptsService,
    private readonly totp: TotpService,
    private readonly audit: AuditService,
    private readonly cls: ClsService<RequestContext>,
  ) {}

  /** The actor of the audit entries that follow (undefined: anonymous). */
  private actAs(principal: Principal | undefined): void {
    if (this.cls.isActive()) this.cls.set('principal', principal);
  }

  async login(input: LoginDto, client: ClientInfo): Promise<TokenPairDto> {
    const email = normaliseEmail(input.email);
    const ticket = await this.attempts.begin(email, client.ip);
    if (ticket.limited) {
      await this.loginFailed(ticket, 'rate_limited', null);
      throw rateLimited();
    }
    const user = await this.db
      .getRepository(User)
      .createQueryBuilder('u')
      .addSelect(['u.passwordHash', 'u.totpSecretEncrypted'])
      .innerJoinAndSelect('u.party', 'p')
      .where('u.email = :email', { email })
      .getOne();
    const passwordOk = user
      ? await this.passwords.verify(user.passwordHash, input.password)
      : await this.passwords.verifyDummy(input.password);
    // A deactivated user, or a user of a deactivated party, cannot sign in.
    if (!user || !passwordOk || !user.active || !user.party?.active) {
      await this.loginFailed(ticket, 'invalid_credentials', user);
      throw invalidCredentials();
    }
    const secondFactor = !user.totpEnabledAt
      ? 'none'
      : input.totpCode
        ? 'totp'
        : input.recoveryCode
          ? 'recovery_code'
          : null;
    if (!secondFactor) {
      // The password was right: not a failure, but the client must ask for the code.
      await this.attempts.finish(this.db.manager, ticket, 'totp_required');
      throw new AppException('UNAUTHENTICATED', 'An authentication code is required', {
        totpRequired: true,
      });
    }
    const owner: SessionOwner = {
      userId: user.id,
      partyId: user.partyId,
      partyType: user.party!.type,
      roles: user.roles,
      language: user.language,
    };
    const tokens = await this.db.transaction(async (m) => {
      if (
        secondFactor === 'totp' &&
        !(await this.totp.acceptCode(m, user.id, user.totpSecretEncrypted!, input.totpCode!))
      ) {
        return null;
      }
      if (
        secondFactor === 'recovery_code' &&
        !(await this.totp.consumeRecoveryCode(m, user.id, input.recoveryCode!))
      ) {
        return null;
      }
      await this.attempts.finish(m, ticket, 'succeeded');
      await m.query(`UPDATE app_user SET last_login_at = now() WHERE id = $1`, [user.id]);
      const sessionId = randomUUID();
      await m.insert(AuthSession, {
        id: sessionId,
        userId: user.id,
        expiresAt: new Date(Date.now() + REFRESH_TOKEN_TTL_MS),
        ip: client.ip?.slice(0, 64) ?? null,
        userAgent: client.userAgent?.slice(0, 300) ?? null,
      });
      const issued = await this.issueTokens(m, owner, sessionId);
      this.actAs(userPrincipal(owner, sessionId));
      await this.audit.record(m, {
        action: 'auth.login',
        entityType: 'auth_session',
        entityId: sessionId,
        entityPartyId: user.partyId,
        metadata: { secondFactor },
      });
      return issued.pair;
    });
    if (!tokens) {
      await this.loginFailed(ticket, 'invalid_totp', user);
      throw new AppException('UNAUTHENTICATED', 'Invalid authentication code', {
        totpRequired: true,
      });
    }
    return tokens;
  }

  private async loginFailed(
    ticket: AttemptTicket,
    outcome: Exclude<LoginOutcome, 'pending' | 'succeeded'>,
    user: User | null,
  ) {
    await this.db.transaction(async (m) => {
      await this.attempts.finish(m, ticket, outcome);
      this.actAs(undefined);
      await this.audit.record(m, {
        action: 'auth.login_failed',
        entityType: 'user',
        entityId: user?.id ?? null,
        entityPartyId: user?.partyId ?? null,
        metadata: { email: ticket.email, reason: outcome },
      });
    });
  }

  /** A new refresh token in the session, and an access token naming it. */
  private async issueTokens(
    m: EntityManager,
    owner: SessionOwner,
    sessionId: string,
  ): Promise<{ pair: TokenPairDto; refreshTokenId: string }> {
    const refreshToken = randomToken();
    const refreshTokenId = randomUUID();
    await m.insert(RefreshToken, {
      id: refreshTokenId,
      sessionId,
      tokenHash: sha256Hex(refreshToken),
      expiresAt: new Date(Date.now() + REFRESH_TOKEN_TTL_MS),
    });
    const claims: AccessTokenClaims = {
      sub: owner.userId,
      pid: owner.partyId,
      roles: owner.roles,
      sid: sessionId,
    };
    const accessToken = await this.jwt.signAsync(claims);
    return {
      pair: { accessToken, refreshToken, expiresIn: ACCESS_TOKEN_TTL_SECONDS },
      refreshTokenId,
    };
  }

  /**
   * Exchanges a refresh token for a new pair; the old one dies. A token presented a second time
   * means it was copied: the whole session is revoked (committed) and the call answers 401.
   */
  async refresh(refreshToken: string): Promise<TokenPairDto> {
    const result = await this.db.transaction(async (m) => {
      const [row] = (await m.query(
        `SELECT t.id, t.session_id, t.used_at IS NOT NULL AS used, t.expires_at > now() AS token_live,
                s.revoked_at IS NOT NULL AS revoked, s.expires_at > now() AS session_live,
                u.id AS user_id, u.party_id, u.roles, u.language, u.active AND p.active AS active, p.type AS party_type
           FROM refresh_token t
           JOIN auth_session s ON s.id = t.session_id
           JOIN app_user u ON u.id = s.user_id
           JOIN party p ON p.id = u.party_id
          WHERE t.token_hash = $1
            FOR UPDATE OF t, s`,
        [sha256Hex(refreshToken)],
      )) as {
        id: string;
        session_id: string;
        used: boolean;
        token_live: boolean;
        revoked: boolean;
        session_live: boolean;
        user_id: string;
        party_id: string;
        roles: Role[];
        language: string;
        active: boolean;
        party_type: PartyType;
      }[];
      if (!row) return 'invalid' as const;
      if (row.used) {
        if (!row.revoked) {
          await m.query(
            `UPDATE auth_session SET revoked_at = now(), revoked_reason = 'refresh_reuse' WHERE id = $1`,
            [row.session_id],
          );
          // Whoever presents a used token may be a thief: recorded as anonymous.
          this.actAs(undefined);
          await this.audit.record(m, {
            action: 'auth.refresh_reuse',
            entityType: 'auth_session',
            entityId: row.session_id,
            entityPartyId: row.party_id,
            metadata: { userId: row.user_id },
          });
        }
        return 'reused' as const;
      }
      if (row.revoked || !row.token_live || !row.session_live || !row.active)
        return 'invalid' as const;
      const owner: SessionOwner = {
        userId: row.user_id,
        partyId: row.party_id,
        partyType: row.party_type,
        roles: row.roles,
        language: row.language,
      };
      const issued = await this.issueTokens(m, owner, row.session_id);
      await m.update(
        RefreshToken,
        { id: row.id },
        { usedAt: new Date(), replacedBy: issued.refreshTokenId },
      );
      await m.update(
        AuthSession,
        { id: row.session_id },
        { lastUsedAt: new Date(), expiresAt: new Date(Date.now() + REFRESH_TOKEN_TTL_MS) },
      );
      this.actAs(userPrincipal(owner, row.session_id));
      await this.audit.record(m, {
        action: 'auth.refresh',
        entityType: 'auth_session',
        entityId: row.session_id,
        entityPartyId: row.party_id,
      });
      return issued.pair;
    });
    if (result === 'reused') {
      throw new AppException(
        'UNAUTHENTICATED',
        'This refresh token was already used; the session has been revoked',
      );
    }
    if (result === 'invalid')
      throw new AppException('UNAUTHENTICATED', 'Invalid or expired refresh token');
    return result;
  }

  /** Ends the caller's session: its refresh tokens and access tokens stop working at once. */
  async logout(principal: Principal): Promise<void> {
    if (principal.kind !== 'user' || !principal.sessionId) {
      throw new AppException(
        'FORBIDDEN',
        'Only a signed-in user has a session to end; revoke an API key instead',
      );
    }
    await this.db.transaction(async (m) => {
      await m.update(
        AuthSession,
        { id: principal.sessionId, revokedAt: IsNull() },
        { revokedAt: new Date(), revokedReason: 'logout' },
      );
      await this.audit.record(m, {
        action: 'auth.logout',
        entityType: 'auth_session',
        entityId: principal.sessionId,
        entityPartyId: principal.partyId,
      });
    });
  }
}
