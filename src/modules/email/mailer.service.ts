import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import nodemailer, { Transporter } from 'nodemailer';
import { AppConfig } from '../../config/app-config';
import type { JobPayloads } from '../../queue/queue.registry';

/** SMTP delivery through nodemailer; used only by the worker's email processor. */
@Injectable()
export class MailerService implements OnApplicationShutdown {
  private transporter?: Transporter;

  constructor(private readonly config: AppConfig) {}

  private transport(): Transporter {
    this.transporter ??= nodemailer.createTransport(this.config.env.SMTP_URL, {
      from: this.config.env.MAIL_FROM,
    });
    return this.transporter;
  }

  async send(message: JobPayloads['email.send']): Promise<string> {
    const info = await this.transport().sendMail({
      to: message.to,
      subject: message.subject,
      text: message.text,
      html: message.html,
    });
    return String(info.messageId);
  }

  onApplicationShutdown(): void {
    this.transporter?.close();
  }
}
