import type { EventFacts } from '../email/i18n';
import type { NotificationType } from './notification-types';
import type { Audience } from './recipients.service';

/**
 * One thing to tell people, before it is stored: the dedupe key makes it happen once however
 * often the source event is delivered (`outbox:<id>`, `suggestion:<match>`,
 * `follow-up:agreement:<match>:<period>`, …).
 */
export interface NotificationDraft {
  dedupeKey: string;
  type: NotificationType | 'digest';
  entityType: string;
  entityId: string | null;
  /** Raw values the texts are made of, localised per recipient. */
  facts: EventFacts;
  /** API path of the record (absolute in e-mails). */
  link: string | null;
  /** Ids a webhook receiver needs (`matchId`, `needId`, …). */
  refs: Record<string, string | null>;
  audience: Audience;
  outboxId?: string | null;
}
