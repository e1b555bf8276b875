import type { TestingModule } from '@nestjs/testing';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../src/config/app-config';
import { DomainEvent, DomainEventBus } from '../../src/modules/outbox/domain-events';
import { OutboxRelayService } from '../../src/modules/outbox/outbox-relay.service';
import { OutboxService } from '../../src/modules/outbox/outbox.service';
import { bootTestApi, TestApi } from '../utils/test-app';
import { bootTestWorker } from '../utils/test-worker';
import { waitFor } from '../utils/wait';

/**
 * The relay is woken by the commit itself (LISTEN/NOTIFY), not by its poll. The poll is set to
 * ten minutes here, so an event published within seconds can only have been heard.
 */
describe('outbox relay: woken by the commit, and listening again after its connection is lost', () => {
  let api: TestApi;
  let db: DataSource;
  let worker: TestingModule;
  let relay: OutboxRelayService;
  const received: DomainEvent[] = [];

  const record = async (): Promise<string> => {
    const entityId = randomUUID();
    await db.transaction((m) =>
      api.app
        .get(OutboxService)
        .add(m, { type: 'need.updated', entityType: 'need', entityId, version: 1 }),
    );
    return entityId;
  };
  const heard = (entityId: string, what: string) =>
    waitFor(() => received.some((e) => e.entityId === entityId), Boolean, 15_000, what);

  beforeAll(async () => {
    api = await bootTestApi({ env: { OUTBOX_POLL_MS: '600000' } });
    db = api.app.get(DataSource);
    worker = await bootTestWorker(AppConfig.fromEnv(api.env));
    worker.get(DomainEventBus).subscribe('need.*', 'test-recorder', async (event) => {
      received.push(event);
    });
    relay = worker.get(OutboxRelayService);
    await waitFor(() => relay.isListening, Boolean, 15_000, 'the relay listening');
  });
  afterAll(async () => {
    await worker?.close();
    await api?.close();
  });

  it('a committed change is published at once; a rolled-back one sends nothing', async () => {
    // Let the batch the LISTEN itself triggered run, so the relay is in its long wait.
    await new Promise((r) => setTimeout(r, 500));
    const entityId = await record();
    await heard(entityId, 'the event, woken by the commit');
    await expect(
      db.transaction(async (m) => {
        await api.app.get(OutboxService).add(m, {
          type: 'need.updated',
          entityType: 'need',
          entityId: randomUUID(),
          version: 1,
        });
        throw new Error('change refused');
      }),
    ).rejects.toThrow('change refused');
    const next = await record();
    await heard(next, 'the next event');
    expect(received.map((e) => e.entityId)).toEqual([entityId, next]);
    const pending = await db.query(
      `SELECT count(*)::int AS n FROM outbox_event WHERE published_at IS NULL`,
    );
    expect(pending[0].n).toBe(0);
  });

  it('a killed listener connection is replaced; what committed meanwhile goes out, once', async () => {
    const pid = relay.listenerPid;
    expect(pid).toBeDefined();
    const before = received.length;
    await db.query(`SELECT pg_terminate_backend($1)`, [pid]);
    // Committed while the listener is down or reconnecting: the short poll or the reconnect
    // publishes it.
    const during = await record();
    await heard(during, 'the event committed while the listener was down');
    const newPid = await waitFor(
      () => relay.listenerPid,
      (p) => p !== undefined && p !== pid,
      15_000,
      'a new listener connection',
    );
    const listening = await db.query(
      `SELECT query FROM pg_stat_activity WHERE pid = $1 AND application_name = 'salw-outbox-listener'`,
      [newPid],
    );
    expect(listening[0]?.query).toMatch(/^LISTEN outbox_event/);
    // Back in the long wait, the new listener wakes the relay again.
    await new Promise((r) => setTimeout(r, 500));
    const after = await record();
    await heard(after, 'the event heard by the new listener');
    expect(received.slice(before).map((e) => e.entityId)).toEqual([during, after]);
  });
});
