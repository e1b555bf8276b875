import { Module } from '@nestjs/common';
import { EmailRenderer } from './email-renderer';
import { SendEmailProcessor } from './jobs/send-email.processor';
import { MailerService } from './mailer.service';

/**
 * E-mail: sending over SMTP (worker) and rendering from templates in the recipient's language.
 * The API only enqueues `email.send`; the worker delivers it.
 */
@Module({
  providers: [
    MailerService,
    SendEmailProcessor,
    { provide: EmailRenderer, useFactory: () => new EmailRenderer() },
  ],
  exports: [MailerService, EmailRenderer],
})
export class EmailModule {}
