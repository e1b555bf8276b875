import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import nodemailer, { Transporter } from 'nodemailer';
import { AppConfig } from '../../config/app-config';
import type { JobPayloads } from '../../queue/queue.registry';

export type OutgoingEmail = JobPayloads['email.send'] & {
  /** A stable Message-ID (e.g. derived from a delivery id), so mail clients can spot a copy. */
  messageId?: string;
  headers?: Record<string, string>;
};

/** SMTP delivery through nodemailer; used only by the worker (e-mail and notification jobs). */
@Injectable()
export class MailerService implements OnApplicationShutdown {
  private transporter?: Transporter;

  constructor(private readonly config: AppConfig) {}

  private transport(): Transporter {
    // Bounded waits, so a send ends well within a notification delivery's lease (NOTIFY_LEASE_MS).
    this.transporter ??= nodemailer.createTransport(
      {
        url: this.config.env.SMTP_URL,
        connectionTimeout: 10_000,
        greetingTimeout: 10_000,
        socketTimeout: 30_000,
      },
      { from: this.config.env.MAIL_FROM },
    );
    return this.transporter;
  }

  async send(message: OutgoingEmail): Promise<string> {
    const info = await this.transport().sendMail({
      to: message.to,
      subject: message.subject,
      text: message.text,
      html: message.html,
      ...(message.messageId ? { messageId: message.messageId } : {}),
      ...(message.headers ? { headers: message.headers } : {}),
    });
    return String(info.messageId);
  }

  onApplicationShutdown(): void {
    this.transporter?.close();
  }
}
