import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { DeliveriesService } from './deliveries.service';

/**
 * The daily digest: for each user with e-mail deliveries waiting (`digest`), one digest e-mail
 * per day (its event's dedupe key is `digest:<user>:<UTC date>`), listing them; the gathered
 * rows become `digested` and point at it. A second run the same day finds the day's digest
 * and leaves newer rows for tomorrow's.
 */
@Injectable()
export class DigestService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly deliveries: DeliveriesService,
  ) {}

  async run(now = new Date()): Promise<{ digests: number; items: number }> {
    const day = now.toISOString().slice(0, 10);
    const users: { user_id: string }[] = await this.db.query(
      `SELECT DISTINCT user_id FROM notification_delivery WHERE status = 'digest'`,
    );
    let digests = 0;
    let items = 0;
    for (const { user_id: userId } of users) {
      const due = await this.db.transaction(async (m) => {
        const rows: {
          id: string;
          type: string;
          data: { facts: unknown; link: string | null };
        }[] = await m.query(
          `SELECT d.id, e.type, e.data FROM notification_delivery d
             JOIN notification_event e ON e.id = d.event_id
            WHERE d.user_id = $1 AND d.status = 'digest'
            ORDER BY d.created_at, d.id FOR UPDATE OF d SKIP LOCKED`,
          [userId],
        );
        if (!rows.length) return null;
        const digest = await this.deliveries.ingestDigest(
          m,
          userId,
          day,
          rows.map((r) => ({ type: r.type, facts: r.data.facts, link: r.data.link })),
        );
        if (!digest) return null;
        await m.query(
          `UPDATE notification_delivery SET status = 'digested', digest_delivery_id = $2
            WHERE id = ANY($1::uuid[])`,
          [rows.map((r) => r.id), digest.id],
        );
        items += rows.length;
        return digest;
      });
      if (due) {
        digests++;
        await this.deliveries.enqueueDue([due]);
      }
    }
    return { digests, items };
  }
}
