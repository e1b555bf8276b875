import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../config/app-config';
import { QueueService } from '../../queue/queue.service';

const BATCH = 200;
/** The poll while no listener is connected (at start, and while it reconnects). */
const UNHEARD_POLL_MS = 250;
const MAX_BACKOFF_MS = 10_000;
/** The channel the `outbox_event_notify` trigger notifies on (migration OutboxNotify). */
const CHANNEL = 'outbox_event';

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
 *
 * The relay is woken as soon as a change commits: it listens on its own connection for the
 * notification every insert into `outbox_event` sends at commit. It also polls, every
 * `OUTBOX_POLL_MS` while listening and every 250 ms while its listener is down (it
 * reconnects with backoff, then publishes whatever committed meanwhile), so a lost
 * notification delays an event and never loses it.
 */
@Injectable()
export class OutboxRelayService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('OutboxRelay');
  private running = false;
  private loop?: Promise<void>;
  private wake?: () => void;
  /** A notification arrived (or the listener changed) since the last batch started. */
  private nudged = false;
  /** The connected listener (none while connecting or reconnecting). */
  private listener?: Client;
  private reconnectTimer?: NodeJS.Timeout;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly queues: QueueService,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.running = true;
    this.loop = this.run();
    void this.listen(0);
  }

  async onApplicationShutdown(): Promise<void> {
    this.running = false;
    clearTimeout(this.reconnectTimer);
    this.wake?.();
    await this.loop;
    const listener = this.listener;
    this.listener = undefined;
    await listener?.end().catch(() => undefined);
  }

  /** Whether the relay hears commits now (else it polls every 250 ms). */
  get isListening(): boolean {
    return this.listener !== undefined;
  }

  /** The listener's PostgreSQL backend, while it is connected. */
  get listenerPid(): number | undefined {
    return (this.listener as { processID?: number } | undefined)?.processID;
  }

  /** Cuts the relay's wait short: something may be pending. */
  private nudge(): void {
    this.nudged = true;
    this.wake?.();
  }

  /** Connects the listener (after `delay` ms), and again with backoff whenever it is lost. */
  private async listen(delay: number): Promise<void> {
    if (delay > 0) {
      await new Promise<void>((resolve) => {
        this.reconnectTimer = setTimeout(resolve, delay);
      });
    }
    if (!this.running) return;
    const client = new Client({
      connectionString: this.config.env.DATABASE_URL,
      application_name: 'salw-outbox-listener',
      connectionTimeoutMillis: 5000,
    });
    let lost = false;
    let connected = false;
    const onLost = (error?: Error) => {
      if (lost) return;
      lost = true;
      if (this.listener === client) this.listener = undefined;
      client.end().catch(() => undefined);
      if (!this.running) return;
      this.logger.warn(`Outbox listener lost (${error?.message ?? 'connection ended'}); polling`);
      // Back to the short poll at once, and reconnect: soon after a connection that worked,
      // with growing backoff while connecting fails.
      this.nudge();
      void this.listen(connected ? 500 : Math.min(Math.max(delay * 2, 500), MAX_BACKOFF_MS));
    };
    client.on('error', onLost);
    client.on('end', () => onLost());
    client.on('notification', () => this.nudge());
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
    } catch (error) {
      onLost(error as Error);
      return;
    }
    if (!this.running || lost) {
      await client.end().catch(() => undefined);
      return;
    }
    connected = true;
    this.listener = client;
    if (delay > 0) this.logger.log('Outbox listener connected again');
    // Whatever committed before the LISTEN took effect is published now.
    this.nudge();
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
      this.nudged = false;
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
      if (published === BATCH || (this.nudged && !backoff)) continue;
      const poll = this.isListening ? this.config.env.OUTBOX_POLL_MS : UNHEARD_POLL_MS;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, backoff || poll);
        const stop = () => {
          clearTimeout(timer);
          resolve();
        };
        // While Redis is down, notifications do not cut the backoff short; shutdown does.
        this.wake = backoff ? () => !this.running && stop() : stop;
      });
    }
  }
}
