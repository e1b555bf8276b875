import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppException } from '../../common/errors';
import { AppConfig } from '../../config/app-config';
import { QueueService } from '../../queue/queue.service';
import { AuditService } from '../audit/audit.service';
import { EmailRenderer } from '../email/email-renderer';
import { translate } from '../email/i18n';
import { User } from '../users/user.entity';
import { PASSWORD_RESET_MAX_PER_HOUR, PASSWORD_RESET_TTL_MS } from './auth.constants';
import { normaliseEmail } from './auth.service';
import { PasswordResetToken } from './password-reset-token.entity';
import { PasswordService } from './password.service';
import { randomToken, sha256Hex } from './token-crypto';

const ENQUEUE_TIMEOUT_MS = 10_000;

const invalidToken = () => new AppException('BAD_REQUEST', 'Invalid or expired reset token');

/**
 * Password reset by e-mailed link. The request answers the same whether or not the address
 * has an account; the link's token works once, for one hour, and ends every session.
 */
@Injectable()
export class PasswordResetService {
  private readonly logger = new Logger('PasswordReset');

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly config: AppConfig,
    private readonly queue: QueueService,
    private readonly passwords: PasswordService,
    private readonly audit: AuditService,
    private readonly renderer: EmailRenderer,
  ) {}

  async request(rawEmail: string): Promise<void> {
    const email = normaliseEmail(rawEmail);
    const issued = await this.db.transaction(async (m) => {
      const user = await m.findOne(User, {
        where: { email, active: true },
        lock: { mode: 'pessimistic_write' },
      });
      if (!user) return null;
      const recent = await m
        .createQueryBuilder(PasswordResetToken, 't')
        .where('t.user_id = :userId', { userId: user.id })
        .andWhere(`t.created_at > now() - interval '1 hour'`)
        .andWhere('t.used_at IS NULL')
        .getCount();
      if (recent >= PASSWORD_RESET_MAX_PER_HOUR) {
        this.logger.warn(
          `Password reset for user ${user.id} not sent: ${recent} links already sent this hour`,
        );
        return null;
      }
      const token = randomToken();
      await m.insert(PasswordResetToken, {
        userId: user.id,
        tokenHash: sha256Hex(token),
        expiresAt: new Date(Date.now() + PASSWORD_RESET_TTL_MS),
      });
      await this.audit.record(m, {
        action: 'auth.password_reset_requested',
        entityType: 'user',
        entityId: user.id,
        entityPartyId: user.partyId,
      });
      return { user, token };
    });
    if (!issued) return;
    // Not awaited: the answer takes the same time whether or not a link is sent, and does not
    // wait for Redis (a producer call hangs while Redis is down). The token is kept either way.
    void this.sendLink(issued.user, issued.token).catch((error: Error) =>
      this.logger.error(
        { err: error, userId: issued.user.id },
        `Could not queue the password-reset e-mail: ${error.message}`,
      ),
    );
  }

  private async sendLink(user: User, token: string): Promise<void> {
    const link = `${this.config.env.PUBLIC_BASE_URL.replace(/\/+$/, '')}/app/reset-password?token=${encodeURIComponent(token)}`;
    // In the user's language (English where a string has no translation).
    const mail = this.renderer.render(user.language, {
      subject: translate(user.language, 'reset.subject'),
      name: user.name,
      template: 'password-reset',
      data: { resetLink: link },
      footer: 'account',
    });
    const job = this.queue.enqueue('email.send', {
      to: user.email,
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      purpose: 'password_reset',
    });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`queue did not answer within ${ENQUEUE_TIMEOUT_MS} ms`)),
        ENQUEUE_TIMEOUT_MS,
      );
      timer.unref();
    });
    try {
      await Promise.race([job, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async confirm(token: string, password: string): Promise<void> {
    await this.db.transaction(async (m) => {
      const row = await m
        .createQueryBuilder(PasswordResetToken, 't')
        .where('t.token_hash = :hash', { hash: sha256Hex(token) })
        .andWhere('t.used_at IS NULL')
        .andWhere('t.expires_at > now()')
        .setLock('pessimistic_write')
        .getOne();
      if (!row) throw invalidToken();
      const user = await m.findOne(User, {
        where: { id: row.userId },
        lock: { mode: 'pessimistic_write' },
      });
      if (!user || !user.active) throw invalidToken();
      this.passwords.assertStrong(password, [user.email, user.name]);
      const changedAt = new Date();
      await m.update(
        User,
        { id: user.id },
        { passwordHash: await this.passwords.hash(password), passwordChangedAt: changedAt },
      );
      // This link and any other outstanding one for the account are spent.
      await m.query(
        `UPDATE password_reset_token SET used_at = now() WHERE user_id = $1 AND used_at IS NULL`,
        [user.id],
      );
      await m.query(
        `UPDATE auth_session SET revoked_at = now(), revoked_reason = 'password_reset'
          WHERE user_id = $1 AND revoked_at IS NULL`,
        [user.id],
      );
      await this.audit.record(m, {
        action: 'auth.password_reset',
        entityType: 'user',
        entityId: user.id,
        entityPartyId: user.partyId,
        before: { passwordChangedAt: user.passwordChangedAt },
        after: { passwordChangedAt: changedAt },
      });
    });
  }
}
