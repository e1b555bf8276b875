import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ClsService } from 'nestjs-cls';
import { DataSource } from 'typeorm';
import { systemPrincipal } from '../../common/access/roles';
import type { RequestContext } from '../../common/context/request-context';
import { AppConfig } from '../../config/app-config';
import { AuditService } from '../audit/audit.service';
import { OutboxService } from '../outbox/outbox.service';
import { DeliveriesService } from './deliveries.service';
import { NotificationEventsService } from './notification-events.service';

/** Matches past agreement that the follow-up concerns (declined and closed ones are done). */
const FOLLOWED_MATCHES = `('agreed', 'committed', 'in_delivery', 'delivered')`;

/**
 * Scheduled follow-up (FOLLOW_UP_CRON):
 * - needs still open past their needed-by date expire (status `expired`, version bump, audit
 *   entry and `need.expired` in the outbox, as the needs service does its transitions);
 * - both parties of a match are reminded every FOLLOW_UP_AGREEMENT_DAYS after agreement (the
 *   1540 Committee's one-year follow-up), once per match and period;
 * - the secretariat is reminded of needs published FOLLOW_UP_STALE_NEED_DAYS (and each such
 *   period after) without an agreed match, once per need and period.
 * Each reminder goes through the delivery table like any event, its dedupe key naming the
 * record and the period, so running the job twice sends nothing twice.
 */
@Injectable()
export class FollowUpService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly events: NotificationEventsService,
    private readonly deliveries: DeliveriesService,
    private readonly audit: AuditService,
    private readonly outbox: OutboxService,
    private readonly config: AppConfig,
    private readonly cls: ClsService<RequestContext>,
  ) {}

  async run(jobId = 'notifications.follow-up') {
    const work = async () => ({
      expired: await this.expireNeeds(),
      agreementReminders: await this.agreementReminders(),
      staleNeedReminders: await this.staleNeedReminders(),
    });
    if (this.cls.isActive() && this.cls.get('principal')) return work();
    return this.cls.run(() => {
      this.cls.set('jobId', jobId);
      this.cls.set('principal', systemPrincipal(jobId));
      return work();
    });
  }

  /**
   * Open needs whose needed-by date (UTC) has passed become `expired`.
   *
   * The rows are locked FOR NO KEY UPDATE, waiting for other writers rather than skipping
   * them: the matching engine holds FOR KEY SHARE on needs while it inserts their pairs, and
   * a skipped need would stay open a day longer. Only status and version change, so the
   * weaker lock is enough, and it does not conflict with those key-share locks. A run that
   * waits re-checks the row (READ COMMITTED), so a concurrent run or an edit that moved the
   * date is seen, and no need expires twice.
   */
  async expireNeeds(): Promise<string[]> {
    return this.db.transaction(async (m) => {
      const due: {
        id: string;
        party_id: string;
        status: string;
        version: number;
        needed_by: string;
      }[] = await m.query(
        `SELECT id, party_id, status, version, needed_by::text AS needed_by FROM need
          WHERE status IN ('published', 'partially_covered')
            AND needed_by < (now() AT TIME ZONE 'UTC')::date
          ORDER BY needed_by, id
          FOR NO KEY UPDATE`,
      );
      for (const need of due) {
        const version = need.version + 1;
        await m.query(
          `UPDATE need SET status = 'expired', version = $2, updated_at = now() WHERE id = $1`,
          [need.id, version],
        );
        await this.audit.record(m, {
          action: 'need.expire',
          entityType: 'need',
          entityId: need.id,
          entityPartyId: need.party_id,
          before: { status: need.status },
          after: { status: 'expired' },
          metadata: { from: need.status, to: 'expired', neededBy: need.needed_by },
        });
        await this.outbox.add(m, {
          type: 'need.expired',
          entityType: 'need',
          entityId: need.id,
          version,
          partyId: need.party_id,
        });
      }
      return due.map((n) => n.id);
    });
  }

  async agreementReminders(): Promise<number> {
    const days = this.config.env.FOLLOW_UP_AGREEMENT_DAYS;
    const rows: { id: string; period: number; elapsed: number }[] = await this.db.query(
      `WITH agreed AS (
         SELECT ms.id, floor(extract(epoch FROM now() - greatest(ms.state_interest_at, ms.donor_interest_at)) / 86400)::int AS elapsed
           FROM match_suggestion ms
          WHERE ms.status IN ${FOLLOWED_MATCHES}
            AND ms.state_interest_at IS NOT NULL AND ms.donor_interest_at IS NOT NULL)
       SELECT id, elapsed / $1 AS period, elapsed FROM agreed
        WHERE elapsed >= $1
          AND NOT EXISTS (SELECT 1 FROM notification_event e
                           WHERE e.dedupe_key = 'follow-up:agreement:' || agreed.id || ':' || (elapsed / $1))
        ORDER BY id`,
      [days],
    );
    let created = 0;
    for (const row of rows) {
      const match = await this.events.matchRow(this.db.manager, row.id);
      if (!match) continue;
      const draft = this.events.matchDraft(
        match,
        'follow_up.agreement',
        ['state', 'donor'],
        `follow-up:agreement:${row.id}:${row.period}`,
        { days: row.elapsed },
      );
      if ((await this.deliveries.ingest(draft)).created) created++;
    }
    return created;
  }

  async staleNeedReminders(): Promise<number> {
    const days = this.config.env.FOLLOW_UP_STALE_NEED_DAYS;
    const rows: { id: string; period: number; elapsed: number }[] = await this.db.query(
      `WITH stale AS (
         SELECT n.id, floor(extract(epoch FROM now() - n.published_at) / 86400)::int AS elapsed
           FROM need n
          WHERE n.status IN ('published', 'partially_covered')
            AND n.consent_status IS DISTINCT FROM 'pending'
            AND n.published_at IS NOT NULL
            AND NOT EXISTS (SELECT 1 FROM match_suggestion ms
                             WHERE ms.need_id = n.id AND ms.status IN ${FOLLOWED_MATCHES}))
       SELECT id, elapsed / $1 AS period, elapsed FROM stale
        WHERE elapsed >= $1
          AND NOT EXISTS (SELECT 1 FROM notification_event e
                           WHERE e.dedupe_key = 'follow-up:stale-need:' || stale.id || ':' || (elapsed / $1))
        ORDER BY id`,
      [days],
    );
    let created = 0;
    for (const row of rows) {
      const draft = await this.events.needDraftFor(
        row.id,
        'follow_up.stale_need',
        ['secretariat'],
        `follow-up:stale-need:${row.id}:${row.period}`,
        { days: row.elapsed },
      );
      if (draft && (await this.deliveries.ingest(draft)).created) created++;
    }
    return created;
  }
}
