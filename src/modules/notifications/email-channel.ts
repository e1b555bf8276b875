import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../config/app-config';
import { EmailRenderer, RenderedEmail } from '../email/email-renderer';
import { describe, EventFacts, translate } from '../email/i18n';
import { MailerService } from '../email/mailer.service';
import type { ClaimedDelivery, DeliveryChannel, SendOutcome, StoredEvent } from './channels';
import { DIGEST_TYPE } from './notification-types';

/** E-mail in the recipient's language, rendered at send time from the stored event. */
@Injectable()
export class EmailChannel implements DeliveryChannel {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly renderer: EmailRenderer,
    private readonly mailer: MailerService,
    private readonly config: AppConfig,
  ) {}

  private absolute(link: string | null | undefined): string | undefined {
    return link ? new URL(link, this.config.env.PUBLIC_BASE_URL).toString() : undefined;
  }

  /** Subject, HTML and text of one event for one reader. */
  render(event: StoredEvent, user: { name: string; language: string }): RenderedEmail {
    const lang = user.language;
    if (event.type === DIGEST_TYPE) {
      const items = (event.data.items ?? []).map((item) => ({
        ...describe(lang, item.type, item.facts as EventFacts),
        link: this.absolute(item.link),
      }));
      return this.renderer.render(lang, {
        subject: translate(lang, 'digest.subject', { count: items.length }),
        name: user.name,
        template: 'digest',
        data: { items },
      });
    }
    const { title, body } = describe(lang, event.type, (event.data.facts ?? {}) as EventFacts);
    return this.renderer.render(lang, {
      subject: title,
      name: user.name,
      template: 'notification',
      data: { body },
      link: this.absolute(event.data.link),
    });
  }

  async send(delivery: ClaimedDelivery): Promise<SendOutcome> {
    const [user] = (await this.db.query(
      `SELECT u.email, u.name, u.language, u.active AND p.active AS active
         FROM app_user u JOIN party p ON p.id = u.party_id WHERE u.id = $1`,
      [delivery.userId],
    )) as { email: string; name: string; language: string; active: boolean }[];
    if (!user?.active) {
      return { ok: false, permanent: true, cancelled: true, error: 'recipient deactivated' };
    }
    const [event] = (await this.db.query(
      `SELECT id, type, entity_type, entity_id, data, created_at FROM notification_event WHERE id = $1`,
      [delivery.eventId],
    )) as StoredEvent[];
    const mail = this.render(event, user);
    const host = new URL(this.config.env.PUBLIC_BASE_URL).hostname || 'localhost';
    try {
      await this.mailer.send({
        to: user.email,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        purpose: `notification:${event.type}`,
        // One Message-ID per delivery row: a copy, should one ever be sent, is recognisable.
        messageId: `<${delivery.id}@${host}>`,
        headers: { 'X-Salw-Delivery': delivery.id, 'Content-Language': mail.language },
      });
      return { ok: true };
    } catch (error) {
      const code = (error as { responseCode?: number }).responseCode;
      return {
        ok: false,
        error: (error as Error).message,
        // 5xx from the server: the address or message is refused, retrying cannot help.
        permanent: typeof code === 'number' && code >= 500,
      };
    }
  }
}
