import type { TestingModule } from '@nestjs/testing';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../src/config/app-config';
import { DomainEvent, DomainEventBus } from '../../src/modules/outbox/domain-events';
import { OutboxService } from '../../src/modules/outbox/outbox.service';
import { OwnRedis } from '../utils/own-redis';
import { bootTestApi, TestApi } from '../utils/test-app';
import { bootTestWorker } from '../utils/test-worker';
import { waitFor } from '../utils/wait';

describe('outbox and relay: every change reaches the queue, once, even across a Redis outage', () => {
  let redis: OwnRedis;
  let api: TestApi;
  let db: DataSource;
  const workers: TestingModule[] = [];
  const received: DomainEvent[] = [];

  async function recordChanges(n: number): Promise<void> {
    const outbox = api.app.get(OutboxService);
    for (let i = 0; i < n; i++) {
      await db.transaction((m) =>
        outbox.add(m, {
          type: 'need.updated',
          entityType: 'need',
          entityId: randomUUID(),
          version: i + 1,
        }),
      );
    }
  }

  async function startWorker(): Promise<void> {
    const worker = await bootTestWorker(AppConfig.fromEnv(api.env));
    worker.get(DomainEventBus).subscribe('need.*', 'test-recorder', async (event) => {
      received.push(event);
    });
    workers.push(worker);
  }

  const pending = async () =>
    Number(
      (await db.query(`SELECT count(*) AS n FROM outbox_event WHERE published_at IS NULL`))[0].n,
    );

  beforeAll(async () => {
    redis = await OwnRedis.start();
    api = await bootTestApi({ env: { REDIS_URL: redis.url } });
    db = api.app.get(DataSource);
  });
  afterAll(async () => {
    for (const w of workers) await w.close();
    await api.close();
    await redis.down();
  });

  it('a change recorded in a transaction that rolls back leaves no event', async () => {
    const outbox = api.app.get(OutboxService);
    await expect(
      db.transaction(async (m) => {
        await outbox.add(m, {
          type: 'need.created',
          entityType: 'need',
          entityId: randomUUID(),
          version: 1,
        });
        throw new Error('change refused');
      }),
    ).rejects.toThrow('change refused');
    expect(Number((await db.query(`SELECT count(*) AS n FROM outbox_event`))[0].n)).toBe(0);
  });

  it('publishes recorded changes and the worker fans them out', async () => {
    await startWorker();
    await recordChanges(20);
    await waitFor(() => received.length >= 20, Boolean, 15000, '20 events');
    expect(await pending()).toBe(0);
  });

  it('keeps changes while Redis is down and delivers each exactly once when it is back', async () => {
    await redis.down();
    await recordChanges(30);
    await new Promise((r) => setTimeout(r, 1500));
    expect(await pending()).toBe(30); // nothing marked as published while Redis is unreachable
    await redis.up();
    await waitFor(() => received.length >= 50, Boolean, 30000, '50 events');
    await waitFor(async () => (await pending()) === 0, Boolean, 10000, 'no pending rows');
    await new Promise((r) => setTimeout(r, 500));
    const ids = received.map((e) => e.outboxId);
    expect(ids.length).toBe(50);
    expect(new Set(ids).size).toBe(50);
  });

  it('two relays running side by side publish each row once', async () => {
    await startWorker();
    received.length = 0;
    await recordChanges(300);
    await waitFor(() => received.length >= 300, Boolean, 30000, '300 events');
    await new Promise((r) => setTimeout(r, 500));
    expect(received.length).toBe(300);
    expect(new Set(received.map((e) => e.outboxId)).size).toBe(300);
  });
  it('a failing handler does not hold the others back, and its retry runs only it', async () => {
    const entityId = randomUUID();
    const calls: string[] = [];
    let failures = 1;
    for (const w of workers) {
      const bus = w.get(DomainEventBus);
      bus.subscribe('need.flagged', 'flaky', async (e) => {
        if (e.entityId !== entityId) return;
        calls.push('flaky');
        if (failures-- > 0) throw new Error('briefly unavailable');
      });
      bus.subscribe('need.flagged', 'steady', async (e) => {
        if (e.entityId === entityId) calls.push('steady');
      });
    }
    await db.transaction((m) =>
      api.app
        .get(OutboxService)
        .add(m, { type: 'need.flagged', entityType: 'need', entityId, version: 1 }),
    );
    // First attempt: flaky fails, steady still runs; the retry (after the backoff) runs flaky alone.
    await waitFor(() => calls.length >= 3, Boolean, 30000, 'the retry');
    await new Promise((r) => setTimeout(r, 1500));
    expect(calls).toEqual(['flaky', 'steady', 'flaky']);
  });
});
