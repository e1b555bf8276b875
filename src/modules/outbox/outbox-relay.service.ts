import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { QueueService } from '../../queue/queue.service';

const BATCH = 200;
const IDLE_MS = 250;
const MAX_BACKOFF_MS = 10_000;

interface PendingRow {
  id: string;
  type: string;
  entity_type: string;
  entity_id: string;
  version: number;
  party_id: string | null;
  created_at: Date;
}

/**
 * Publishes outbox rows to the `events` queue and marks them, in one transaction per batch.
 * Rows are claimed with FOR UPDATE SKIP LOCKED, so several relays never publish the same row
 * twice at once; the job id is derived from the row id, so a row re-published after a crash
 * between `add` and `COMMIT` is not duplicated. While Redis is down nothing is marked and the
 * relay backs off; everything pending goes out once Redis is back.
 */
@Injectable()
export class OutboxRelayService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('OutboxRelay');
  private running = false;
  private loop?: Promise<void>;
  private wake?: () => void;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly queues: QueueService,
  ) {}

  onApplicationBootstrap(): void {
    this.running = true;
    this.loop = this.run();
  }

  async onApplicationShutdown(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  /** Publishes one batch; returns how many rows went out. */
  async publishBatch(): Promise<number> {
    return this.db.transaction(async (m) => {
      const rows: PendingRow[] = await m.query(
        `SELECT id, type, entity_type, entity_id, version, party_id, created_at
           FROM outbox_event WHERE published_at IS NULL
          ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [BATCH],
      );
      if (!rows.length) return 0;
      const queue = this.queues.queue('events');
      await queue.addBulk(
        rows.map((r) => ({
          name: 'events.domain-event',
          data: {
            outboxId: String(r.id),
            type: r.type,
            entityType: r.entity_type,
            entityId: r.entity_id,
            version: r.version,
            partyId: r.party_id,
            occurredAt: new Date(r.created_at).toISOString(),
          },
          opts: QueueService.jobOptions('events.domain-event', { jobId: `outbox-${r.id}` }),
        })),
      );
      await m.query(
        `UPDATE outbox_event SET published_at = clock_timestamp() WHERE id = ANY($1::bigint[])`,
        [rows.map((r) => r.id)],
      );
      return rows.length;
    });
  }

  private async run(): Promise<void> {
    let backoff = 0;
    while (this.running) {
      let published = 0;
      try {
        published = await this.publishBatch();
        if (backoff) this.logger.log('Publishing again');
        backoff = 0;
      } catch (error) {
        backoff = Math.min(backoff ? backoff * 2 : 500, MAX_BACKOFF_MS);
        this.logger.warn(
          `Outbox not published (${(error as Error).message}); retrying in ${backoff} ms`,
        );
      }
      if (published === BATCH) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, backoff || IDLE_MS);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }
}
