import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import QRCode from 'qrcode';
import { DataSource, EntityManager } from 'typeorm';
import { hasRole, Principal, Role } from '../../common/access/roles';
import { AppException } from '../../common/errors';
import { AppConfig } from '../../config/app-config';
import { AuditService } from '../audit/audit.service';
import { User } from '../users/user.entity';
import { ClientInfo, RECOVERY_CODE_COUNT, TOTP_ISSUER } from './auth.constants';
import { RecoveryCodesDto, TotpDisableDto, TotpSetupDto } from './dto/totp.dto';
import { LoginAttemptsService, rateLimited } from './login-attempts.service';
import { PasswordService } from './password.service';
import { SecretBox } from './secret-box';
import { normaliseRecoveryCode, randomRecoveryCode, sha256Hex } from './token-crypto';
import { newTotpSecret, totpStepOf, totpUri } from './totp-codes';
import { TotpRecoveryCode } from './totp-recovery-code.entity';

/** One time step either side of now is accepted (clock drift, slow typing). */
const TOTP_TOLERANCE_SECONDS = 30;

/** Secretariat and administrator accounts keep TOTP once they have enrolled. */
const TOTP_MANDATORY_ROLES: Role[] = ['secretariat', 'admin'];

function signedInUser(principal: Principal): string {
  if (principal.kind !== 'user' || !principal.userId) {
    throw new AppException(
      'FORBIDDEN',
      'Two-factor authentication is managed by a signed-in user, not an API key',
    );
  }
  return principal.userId;
}

/** TOTP enrolment (RFC 6238 via otplib, see totp-codes.ts), codes at sign-in, and one-time recovery codes. */
@Injectable()
export class TotpService {
  private readonly box: SecretBox;

  constructor(
    config: AppConfig,
    @InjectDataSource() private readonly db: DataSource,
    private readonly passwords: PasswordService,
    private readonly attempts: LoginAttemptsService,
    private readonly audit: AuditService,
  ) {
    this.box = new SecretBox(config.env.JWT_SECRET, 'totp-secret');
  }

  private async lockUser(m: EntityManager, userId: string, withPassword = false): Promise<User> {
    const qb = m
      .createQueryBuilder(User, 'u')
      .addSelect('u.totpSecretEncrypted')
      .where('u.id = :userId', { userId })
      .setLock('pessimistic_write');
    if (withPassword) qb.addSelect('u.passwordHash');
    const user = await qb.getOne();
    if (!user) throw AppException.notFound('User');
    return user;
  }

  /** The time step of a valid code (±1 step), or null. */
  private async stepOf(sealedSecret: string, userId: string, code: string): Promise<number | null> {
    if (!/^\d{6}$/.test(code)) return null;
    return totpStepOf(this.box.open(sealedSecret, userId), code, TOTP_TOLERANCE_SECONDS);
  }

  /**
   * Accepts a valid code once: its time step is recorded in the caller's transaction and no
   * code of that step or an earlier one is accepted again (RFC 6238 §5.2).
   */
  async acceptCode(
    m: EntityManager,
    userId: string,
    sealedSecret: string,
    code: string,
  ): Promise<boolean> {
    const step = await this.stepOf(sealedSecret, userId, code);
    if (step === null) return false;
    const [row] = (await m.query(
      `WITH accepted AS (
         UPDATE app_user SET totp_last_used_step = $2
          WHERE id = $1 AND (totp_last_used_step IS NULL OR totp_last_used_step < $2)
         RETURNING id)
       SELECT count(*)::int AS n FROM accepted`,
      [userId, step],
    )) as { n: number }[];
    return row.n === 1;
  }

  /** Marks an unused recovery code as used, in the caller's transaction. */
  async consumeRecoveryCode(m: EntityManager, userId: string, code: string): Promise<boolean> {
    const [row] = (await m.query(
      `WITH used AS (
         UPDATE totp_recovery_code SET used_at = now()
          WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL
         RETURNING id)
       SELECT count(*)::int AS n FROM used`,
      [userId, sha256Hex(normaliseRecoveryCode(code))],
    )) as { n: number }[];
    return row.n === 1;
  }

  /** Starts (or restarts) enrolment: a new secret, stored encrypted, not yet required. */
  async setup(principal: Principal): Promise<TotpSetupDto> {
    const userId = signedInUser(principal);
    return this.db.transaction(async (m) => {
      const user = await this.lockUser(m, userId);
      if (user.totpEnabledAt) {
        throw new AppException(
          'CONFLICT',
          'Two-factor authentication is already enabled; disable it first',
        );
      }
      const secret = newTotpSecret();
      await m.update(
        User,
        { id: user.id },
        { totpSecretEncrypted: this.box.seal(secret, user.id) },
      );
      await m.query(`UPDATE app_user SET totp_last_used_step = NULL WHERE id = $1`, [user.id]);
      await this.audit.record(m, {
        action: 'auth.totp_setup',
        entityType: 'user',
        entityId: user.id,
        entityPartyId: user.partyId,
      });
      const otpauthUrl = totpUri(TOTP_ISSUER, user.email, secret);
      return { secret, otpauthUrl, qrCodeDataUrl: await QRCode.toDataURL(otpauthUrl) };
    });
  }

  /** Confirms enrolment with a first code; returns ten recovery codes, shown once. */
  async enable(principal: Principal, code: string): Promise<RecoveryCodesDto> {
    const userId = signedInUser(principal);
    return this.db.transaction(async (m) => {
      const user = await this.lockUser(m, userId);
      if (user.totpEnabledAt)
        throw new AppException('CONFLICT', 'Two-factor authentication is already enabled');
      if (!user.totpSecretEncrypted) {
        throw new AppException('CONFLICT', 'Start with POST /auth/totp/setup');
      }
      if (!(await this.acceptCode(m, user.id, user.totpSecretEncrypted, code))) {
        throw new AppException('UNPROCESSABLE', 'Invalid authentication code', [
          { field: 'code', messages: ['does not match the current code of the authenticator app'] },
        ]);
      }
      const recoveryCodes = Array.from({ length: RECOVERY_CODE_COUNT }, randomRecoveryCode);
      await m.delete(TotpRecoveryCode, { userId: user.id });
      await m.insert(
        TotpRecoveryCode,
        recoveryCodes.map((c) => ({
          userId: user.id,
          codeHash: sha256Hex(normaliseRecoveryCode(c)),
        })),
      );
      const enabledAt = new Date();
      await m.update(User, { id: user.id }, { totpEnabledAt: enabledAt });
      await this.audit.record(m, {
        action: 'auth.totp_enabled',
        entityType: 'user',
        entityId: user.id,
        entityPartyId: user.partyId,
        before: { totpEnabledAt: null },
        after: { totpEnabledAt: enabledAt },
      });
      return { recoveryCodes };
    });
  }

  /**
   * Turns TOTP off after re-checking the password and a current code. Refused (403) for
   * secretariat and admin accounts. Wrong proofs count as failed sign-ins (same limits).
   */
  async disable(principal: Principal, input: TotpDisableDto, client: ClientInfo): Promise<void> {
    const userId = signedInUser(principal);
    const current = await this.db.getRepository(User).findOne({ where: { id: userId } });
    if (!current) throw AppException.notFound('User');
    // The roles as stored now, not as the (up to 15 minutes old) access token says.
    if (hasRole({ ...principal, roles: current.roles }, ...TOTP_MANDATORY_ROLES)) {
      throw new AppException(
        'FORBIDDEN',
        'Two-factor authentication is required for secretariat and admin accounts',
      );
    }
    if (!current.totpEnabledAt)
      throw new AppException('CONFLICT', 'Two-factor authentication is not enabled');
    const ticket = await this.attempts.begin(current.email, client.ip);
    if (ticket.limited) {
      await this.attempts.finish(this.db.manager, ticket, 'rate_limited');
      throw rateLimited();
    }
    const failure = await this.db.transaction(async (m) => {
      const user = await this.lockUser(m, userId, true);
      if (!(await this.passwords.verify(user.passwordHash, input.password)))
        return 'invalid_credentials' as const;
      if (
        !user.totpSecretEncrypted ||
        !(await this.acceptCode(m, user.id, user.totpSecretEncrypted, input.code))
      ) {
        return 'invalid_totp' as const;
      }
      await m.update(User, { id: user.id }, { totpSecretEncrypted: null, totpEnabledAt: null });
      await m.query(`UPDATE app_user SET totp_last_used_step = NULL WHERE id = $1`, [user.id]);
      await m.delete(TotpRecoveryCode, { userId: user.id });
      await this.attempts.finish(m, ticket, 'succeeded');
      await this.audit.record(m, {
        action: 'auth.totp_disabled',
        entityType: 'user',
        entityId: user.id,
        entityPartyId: user.partyId,
        before: { totpEnabledAt: user.totpEnabledAt },
        after: { totpEnabledAt: null },
      });
      return null;
    });
    if (failure) {
      await this.attempts.finish(this.db.manager, ticket, failure);
      throw new AppException('UNPROCESSABLE', 'Incorrect password or authentication code');
    }
  }
}
