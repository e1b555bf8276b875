import { Module } from '@nestjs/common';
import { SendEmailProcessor } from './jobs/send-email.processor';
import { MailerService } from './mailer.service';

/** E-mail sending. The API only enqueues `email.send`; the worker delivers it. */
@Module({ providers: [MailerService, SendEmailProcessor], exports: [MailerService] })
export class EmailModule {}
