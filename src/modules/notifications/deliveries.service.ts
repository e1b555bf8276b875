import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AppConfig } from '../../config/app-config';
import { AuditService } from '../audit/audit.service';
import { describe } from '../email/i18n';
import { OutboxService } from '../outbox/outbox.service';
import type { ClaimedDelivery, SendOutcome } from './channels';
import { DeliveryQueue, DueDelivery } from './delivery-queue.service';
import { EmailChannel } from './email-channel';
import type { NotificationDraft } from './notification-draft';
import { DIGEST_TYPE, NotificationType } from './notification-types';
import { PreferencesService } from './preferences.service';
import { RecipientsService } from './recipients.service';
import { WebhookChannel } from './webhook-channel';

export interface IngestResult {
  eventId: string | null;
  /** False when the dedupe key was seen before: nothing new was stored. */
  created: boolean;
  deliveries: number;
}

interface DueRow {
  id: string;
  attempts: number;
  next_attempt_at: Date;
}

const MAX_EMAIL_DELAY_MS = 6 * 3600_000;

/** Exponential backoff: base, 2×base, 4×base, …, capped. */
export function backoffMs(baseMs: number, attempt: number, capMs: number): number {
  return Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));
}

/**
 * The delivery table and its rules (docs/NOTIFICATIONS.md, "Exactly once"):
 * - `ingest` stores an event once per dedupe key and one row per (event, recipient, channel),
 *   unique in the database, in one transaction;
 * - `process` claims a due row in its own statement (status `sending`, attempt counted, lease
 *   set) before sending, so two jobs never send the same row; it records the outcome only if
 *   it still holds that claim, and schedules the retry in the row (next_attempt_at);
 * - `sweep` re-enqueues due rows (lost jobs lose nothing) and settles rows whose worker died
 *   mid-send: a webhook is sent again under the same delivery id (receivers dedupe), an e-mail
 *   is not (it may have left: marked `uncertain`, never sent twice).
 */
@Injectable()
export class DeliveriesService {
  private readonly logger = new Logger('Notifications');

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly recipients: RecipientsService,
    private readonly preferences: PreferencesService,
    private readonly queue: DeliveryQueue,
    private readonly email: EmailChannel,
    private readonly webhook: WebhookChannel,
    private readonly audit: AuditService,
    private readonly outbox: OutboxService,
    private readonly config: AppConfig,
  ) {}

  /** Stores the event and its deliveries (once per dedupe key), then enqueues what is due. */
  async ingest(draft: NotificationDraft): Promise<IngestResult> {
    const result = await this.db.transaction(async (m) => {
      const [event] = (await m.query(
        `INSERT INTO notification_event (dedupe_key, type, entity_type, entity_id, data, outbox_id)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (dedupe_key) DO NOTHING RETURNING id`,
        [
          draft.dedupeKey,
          draft.type,
          draft.entityType,
          draft.entityId,
          JSON.stringify({ facts: draft.facts, link: draft.link, refs: draft.refs }),
          draft.outboxId ?? null,
        ],
      )) as { id: string }[];
      if (!event) return { eventId: null, created: false, due: [] as DueRow[] };
      const due = await this.createDeliveries(m, event.id, draft);
      return { eventId: event.id, created: true, due };
    });
    if (result.due.length) await this.queue.enqueue(result.due.map(toDue));
    return { eventId: result.eventId, created: result.created, deliveries: result.due.length };
  }

  private async createDeliveries(
    m: EntityManager,
    eventId: string,
    draft: NotificationDraft,
  ): Promise<DueRow[]> {
    const type = draft.type as NotificationType;
    const users = await this.recipients.users(m, draft.audience);
    const prefs = await this.preferences.forUsers(
      m,
      users.map((u) => u.id),
      type,
    );
    const due: DueRow[] = [];
    for (const user of users) {
      const pref = prefs.get(user.id)!;
      if (pref.inApp) {
        const { title, body } = describe(user.language, type, draft.facts);
        await m.query(
          `INSERT INTO notification_delivery (event_id, channel, user_id, status, sent_at, title, body, link)
           VALUES ($1, 'in_app', $2, 'sent', now(), $3, $4, $5)
           ON CONFLICT DO NOTHING`,
          [eventId, user.id, title, body, draft.link],
        );
      }
      if (pref.email) {
        const digest = pref.emailMode === 'digest';
        const rows = (await m.query(
          `INSERT INTO notification_delivery (event_id, channel, user_id, status, next_attempt_at)
           VALUES ($1, 'email', $2, $3::varchar, CASE WHEN $3::varchar = 'pending' THEN now() END)
           ON CONFLICT DO NOTHING RETURNING id, attempts, next_attempt_at`,
          [eventId, user.id, digest ? 'digest' : 'pending'],
        )) as DueRow[];
        if (!digest) due.push(...rows);
      }
    }
    const parties = await this.recipients.parties(m, draft.audience);
    if (parties.length) {
      const rows = (await m.query(
        `INSERT INTO notification_delivery (event_id, channel, endpoint_id, status, next_attempt_at)
         SELECT $1, 'webhook', w.id, 'pending', now() FROM webhook_endpoint w
          WHERE w.active AND w.party_id = ANY($2::uuid[]) AND $3::text = ANY(w.event_types)
         ON CONFLICT DO NOTHING RETURNING id, attempts, next_attempt_at`,
        [eventId, parties, type],
      )) as DueRow[];
      due.push(...rows);
    }
    return due;
  }

  /** Creates the e-mail delivery of a digest (type `digest`, one per user per day). */
  async ingestDigest(
    m: EntityManager,
    userId: string,
    day: string,
    items: { type: string; facts: unknown; link: string | null }[],
  ): Promise<DueRow | null> {
    const [event] = (await m.query(
      `INSERT INTO notification_event (dedupe_key, type, entity_type, entity_id, data)
       VALUES ($1, $2, 'user', $3, $4) ON CONFLICT (dedupe_key) DO NOTHING RETURNING id`,
      [`digest:${userId}:${day}`, DIGEST_TYPE, userId, JSON.stringify({ items })],
    )) as { id: string }[];
    if (!event) return null;
    const [row] = (await m.query(
      `INSERT INTO notification_delivery (event_id, channel, user_id, status, next_attempt_at)
       VALUES ($1, 'email', $2, 'pending', now()) RETURNING id, attempts, next_attempt_at`,
      [event.id, userId],
    )) as DueRow[];
    return row;
  }

  async enqueueDue(rows: DueRow[], source: 'd' | 's' = 'd'): Promise<void> {
    await this.queue.enqueue(rows.map(toDue), source);
  }

  /** Claims the row if it is due: one statement, so only one job ever holds it. */
  private async claim(id: string): Promise<ClaimedDelivery | null> {
    const [row] = (await this.db.query(
      `UPDATE notification_delivery
          SET status = 'sending', attempts = attempts + 1,
              lease_until = now() + $2::float8 * interval '1 millisecond',
              first_attempt_at = COALESCE(first_attempt_at, now())
        WHERE id = $1 AND status = 'pending' AND channel IN ('email', 'webhook')
          AND next_attempt_at <= now() + interval '1 second'
        RETURNING id, event_id, channel, user_id, endpoint_id, attempts, first_attempt_at`,
      [id, this.config.env.NOTIFY_LEASE_MS],
    )) as [
      {
        id: string;
        event_id: string;
        channel: 'email' | 'webhook';
        user_id: string | null;
        endpoint_id: string | null;
        attempts: number;
        first_attempt_at: Date;
      }[],
      number,
    ];
    const claimed = row?.[0];
    return claimed
      ? {
          id: claimed.id,
          eventId: claimed.event_id,
          channel: claimed.channel,
          userId: claimed.user_id,
          endpointId: claimed.endpoint_id,
          attempts: claimed.attempts,
          firstAttemptAt: new Date(claimed.first_attempt_at),
        }
      : null;
  }

  /**
   * One attempt at one delivery. Send failures are outcomes, recorded on the row with the next
   * attempt time (not thrown: the schedule lives in the database); only errors of the platform
   * itself (database) are thrown, for BullMQ to retry the job.
   */
  async process(id: string): Promise<{ outcome: string }> {
    const claimed = await this.claim(id);
    if (!claimed) return { outcome: 'not due or already handled' };
    const startedAt = new Date();
    let outcome: SendOutcome;
    try {
      outcome =
        claimed.channel === 'email'
          ? await this.email.send(claimed)
          : await this.webhook.send(claimed);
    } catch (error) {
      outcome = { ok: false, error: (error as Error).message };
    }
    const next =
      claimed.channel === 'email'
        ? await this.recordEmail(claimed, outcome)
        : await this.recordWebhook(claimed, startedAt, outcome);
    if (next) await this.queue.enqueue([next]);
    return { outcome: outcome.ok ? 'sent' : `failed: ${outcome.error ?? 'unknown error'}` };
  }

  private async recordEmail(c: ClaimedDelivery, o: SendOutcome): Promise<DueDelivery | null> {
    const env = this.config.env;
    if (o.ok) {
      await this.db.query(
        `UPDATE notification_delivery SET status = 'sent', sent_at = now(), lease_until = NULL,
                last_error = NULL, next_attempt_at = NULL
          WHERE id = $1 AND status = 'sending' AND attempts = $2`,
        [c.id, c.attempts],
      );
      return null;
    }
    const giveUp = o.permanent || c.attempts >= env.NOTIFY_EMAIL_MAX_ATTEMPTS;
    const delay = backoffMs(env.NOTIFY_EMAIL_RETRY_BASE_MS, c.attempts, MAX_EMAIL_DELAY_MS);
    const [rows] = (await this.db.query(
      `UPDATE notification_delivery
          SET status = $3::varchar, lease_until = NULL, last_error = $4,
              next_attempt_at = CASE WHEN $3::varchar = 'pending' THEN now() + $5::float8 * interval '1 millisecond' END
        WHERE id = $1 AND status = 'sending' AND attempts = $2
        RETURNING id, attempts, next_attempt_at`,
      [
        c.id,
        c.attempts,
        giveUp ? (o.cancelled ? 'cancelled' : 'failed') : 'pending',
        (o.error ?? 'unknown error').slice(0, 2000),
        delay,
      ],
    )) as [DueRow[], number];
    const row = rows[0];
    return row && !giveUp ? toDue(row) : null;
  }

  /**
   * Logs the attempt and settles the row in one transaction: sent; or retried with backoff
   * until WEBHOOK_RETRY_WINDOW_MS after the first attempt has passed, then failed — and the
   * endpoint disabled (audited, `webhook.disabled` in the outbox, which notifies the party)
   * when it has had no success for that long.
   */
  private async recordWebhook(
    c: ClaimedDelivery,
    startedAt: Date,
    o: SendOutcome,
  ): Promise<DueDelivery | null> {
    const env = this.config.env;
    return this.db.transaction(async (m) => {
      await m.query(
        `INSERT INTO webhook_attempt (delivery_id, endpoint_id, attempt, started_at, duration_ms, status_code, error, success)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (delivery_id, attempt) DO NOTHING`,
        [
          c.id,
          c.endpointId,
          c.attempts,
          startedAt,
          o.durationMs ?? Date.now() - startedAt.getTime(),
          o.statusCode ?? null,
          o.ok ? null : (o.error ?? 'unknown error').slice(0, 2000),
          o.ok,
        ],
      );
      if (o.ok) {
        await m.query(
          `UPDATE notification_delivery SET status = 'sent', sent_at = now(), lease_until = NULL,
                  last_error = NULL, next_attempt_at = NULL
            WHERE id = $1 AND status = 'sending' AND attempts = $2`,
          [c.id, c.attempts],
        );
        await m.query(`UPDATE webhook_endpoint SET failing_since = NULL WHERE id = $1`, [
          c.endpointId,
        ]);
        return null;
      }
      const error = (o.error ?? 'unknown error').slice(0, 2000);
      const [[endpoint]] = (await m.query(
        `UPDATE webhook_endpoint SET failing_since = COALESCE(failing_since, $2)
          WHERE id = $1 RETURNING failing_since, active`,
        [c.endpointId, startedAt],
      )) as [{ failing_since: Date; active: boolean }[], number];
      const windowOver = Date.now() - c.firstAttemptAt.getTime() >= env.WEBHOOK_RETRY_WINDOW_MS;
      const giveUp = o.permanent || windowOver;
      const delay = backoffMs(
        env.WEBHOOK_RETRY_BASE_MS,
        c.attempts,
        env.WEBHOOK_RETRY_MAX_DELAY_MS,
      );
      const [rows] = (await m.query(
        `UPDATE notification_delivery
            SET status = $3::varchar, lease_until = NULL, last_error = $4,
                next_attempt_at = CASE WHEN $3::varchar = 'pending' THEN now() + $5::float8 * interval '1 millisecond' END
          WHERE id = $1 AND status = 'sending' AND attempts = $2
          RETURNING id, attempts, next_attempt_at`,
        [
          c.id,
          c.attempts,
          giveUp ? (o.cancelled ? 'cancelled' : 'failed') : 'pending',
          error,
          delay,
        ],
      )) as [DueRow[], number];
      const persistent =
        windowOver &&
        endpoint?.active &&
        Date.now() - new Date(endpoint.failing_since).getTime() >= env.WEBHOOK_RETRY_WINDOW_MS;
      if (persistent) await this.disableEndpoint(m, c.endpointId!, endpoint.failing_since, error);
      return rows[0] && !giveUp ? toDue(rows[0]) : null;
    });
  }

  private async disableEndpoint(
    m: EntityManager,
    endpointId: string,
    failingSince: Date,
    lastError: string,
  ): Promise<void> {
    const reason = `Every delivery failed since ${new Date(failingSince).toISOString()}; last error: ${lastError}`;
    const [[endpoint]] = (await m.query(
      `UPDATE webhook_endpoint SET active = false, disabled_at = now(), disabled_reason = $2,
              version = version + 1, updated_at = now()
        WHERE id = $1 AND active RETURNING id, party_id, version`,
      [endpointId, reason],
    )) as [{ id: string; party_id: string; version: number }[], number];
    if (!endpoint) return;
    const [, cancelled] = (await m.query(
      `UPDATE notification_delivery SET status = 'cancelled', next_attempt_at = NULL,
              last_error = 'endpoint disabled'
        WHERE endpoint_id = $1 AND status = 'pending'`,
      [endpointId],
    )) as [unknown, number];
    await this.audit.record(m, {
      action: 'webhook.disable',
      entityType: 'webhook_endpoint',
      entityId: endpoint.id,
      entityPartyId: endpoint.party_id,
      before: { active: true },
      after: { active: false, disabledReason: reason },
      metadata: { cancelledDeliveries: cancelled },
    });
    await this.outbox.add(m, {
      type: 'webhook.disabled',
      entityType: 'webhook_endpoint',
      entityId: endpoint.id,
      version: endpoint.version,
      partyId: endpoint.party_id,
    });
    this.logger.warn(`Webhook endpoint ${endpoint.id} disabled: ${reason}`);
  }

  /**
   * The safety net, on a schedule: (1) rows whose lease expired (their worker died between
   * sending and recording) — webhooks go back to `pending` with the attempt logged as unknown,
   * e-mails become `uncertain` and are not sent again; (2) every due `pending` row is enqueued
   * again, so deliveries survive lost jobs, a flushed Redis or a killed worker.
   */
  async sweep(): Promise<{ recovered: number; requeued: number }> {
    const recovered = (await this.db.transaction(async (m) => {
      const [rows] = (await m.query(
        `WITH expired AS (
           SELECT id, lease_until FROM notification_delivery
            WHERE status = 'sending' AND lease_until < now()
            FOR UPDATE SKIP LOCKED)
         UPDATE notification_delivery d
            SET status = CASE WHEN d.channel = 'webhook' THEN 'pending' ELSE 'uncertain' END,
                next_attempt_at = CASE WHEN d.channel = 'webhook' THEN now() END,
                lease_until = NULL,
                last_error = CASE WHEN d.channel = 'webhook'
                  THEN 'the worker stopped during the attempt; sent again with the same delivery id'
                  ELSE 'the worker stopped while sending; the e-mail may have left, so it is not sent again' END
           FROM expired
          WHERE d.id = expired.id
          RETURNING d.id, d.channel, d.endpoint_id, d.attempts, expired.lease_until`,
      )) as [
        {
          id: string;
          channel: string;
          endpoint_id: string | null;
          attempts: number;
          lease_until: Date;
        }[],
        number,
      ];
      for (const r of rows.filter((x) => x.channel === 'webhook')) {
        await m.query(
          `INSERT INTO webhook_attempt (delivery_id, endpoint_id, attempt, started_at, error, success)
           VALUES ($1, $2, $3, $4::timestamptz - $5::float8 * interval '1 millisecond', $6, false)
           ON CONFLICT (delivery_id, attempt) DO NOTHING`,
          [
            r.id,
            r.endpoint_id,
            r.attempts,
            r.lease_until,
            this.config.env.NOTIFY_LEASE_MS,
            'outcome unknown: the worker stopped during the attempt',
          ],
        );
      }
      if (rows.length) this.logger.warn(`Recovered ${rows.length} deliveries with expired leases`);
      return rows.length;
    })) as number;
    const due = (await this.db.query(
      `SELECT id, attempts, next_attempt_at FROM notification_delivery
        WHERE status = 'pending' AND next_attempt_at <= now()
        ORDER BY next_attempt_at LIMIT 1000`,
    )) as DueRow[];
    await this.enqueueDue(due, 's');
    return { recovered, requeued: due.length };
  }
}

function toDue(row: DueRow): DueDelivery {
  return { id: row.id, attempts: row.attempts, nextAttemptAt: row.next_attempt_at };
}
