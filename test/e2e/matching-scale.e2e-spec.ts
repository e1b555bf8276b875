import type { TestingModule } from '@nestjs/testing';
import { Job } from 'bullmq';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../src/config/app-config';
import { chunkJobId, offersJobId } from '../../src/modules/matching/jobs/rematch-all.processor';
import { MatchingService } from '../../src/modules/matching/matching.service';
import { OPEN_NEED_STATUSES } from '../../src/modules/needs/need-lifecycle';
import { RematchStore } from '../../src/modules/matching/rematch-store';
import { QueueService } from '../../src/queue/queue.service';
import { createCast, Cast } from '../factories/needs.factory';
import { seedWorld } from '../bench/world';
import IORedis from 'ioredis';
import { OwnRedis } from '../utils/own-redis';
import { bootTestApi, TestApi } from '../utils/test-app';
import { bootTestWorker } from '../utils/test-worker';
import { waitFor } from '../utils/wait';

/**
 * The full re-match in chunks (one parent job, child chunk jobs on two workers, offers' side
 * from the chunks' per-offer bests) against matching every record on its own.
 */
describe('matching at scale: chunked full re-match', () => {
  let redis: OwnRedis;
  let api: TestApi;
  let db: DataSource;
  let cast: Cast;
  const workers: TestingModule[] = [];

  const rows = async () =>
    db.query(
      `SELECT need_id, offer_id, score, components, rules_passed, rules_failed, explanation, eligible,
              partial, in_need_top, in_offer_top, status, version, need_version, offer_version
         FROM match_suggestion ORDER BY need_id, offer_id`,
    );
  const perRecord = async () => {
    const matching = api.app.get(MatchingService);
    for (const { id } of await db.query(
      `SELECT id FROM need WHERE status IN ('published', 'partially_covered') ORDER BY id`,
    ))
      await matching.match('need', id);
    for (const { id } of await db.query(`SELECT id FROM offer WHERE status = 'active' ORDER BY id`))
      await matching.match('offer', id);
  };
  const jobStatus = async (jobId: string) =>
    (
      await api.http
        .get(`/api/v1/jobs/${jobId}`)
        .set('Authorization', `Bearer ${cast.secretariat.token}`)
        .expect(200)
    ).body;
  const rematch = async () =>
    (
      await api.http
        .post('/api/v1/matching/rematch')
        .set('Authorization', `Bearer ${cast.secretariat.token}`)
        .expect(202)
    ).body.jobId as string;

  beforeAll(async () => {
    redis = await OwnRedis.start();
    api = await bootTestApi({
      env: {
        REDIS_URL: redis.url,
        WORKER_LOCK_MS: '5000',
        MATCH_MIN_SCORE: '0.3',
        MATCH_TOP_K: '3',
        MATCH_CHUNK_SIZE: '25',
        MATCH_OFFER_PART_SIZE: '20',
      },
    });
    db = api.app.get(DataSource);
    cast = await createCast(api);
    await seedWorld(db, { needs: 220, offers: 70, seed: 7, donors: 10 });
    // A starting point with history: suggestions computed, some acted on, then data changed.
    await perRecord();
    await db.query(
      `UPDATE match_suggestion SET status = 'shortlisted', version = 2
        WHERE id IN (SELECT id FROM match_suggestion ORDER BY id LIMIT 15)`,
    );
    await db.query(
      `UPDATE offer SET status = 'paused', version = version + 1
        WHERE id IN (SELECT offer_id FROM match_suggestion WHERE status = 'shortlisted' ORDER BY id LIMIT 3)`,
    );
    await db.query(
      `UPDATE need SET status = 'closed', version = version + 1
        WHERE id IN (SELECT need_id FROM match_suggestion WHERE status = 'shortlisted' ORDER BY id DESC LIMIT 3)`,
    );
    await db.query(
      `UPDATE offer SET control_areas = ARRAY['05.30', 'AMMO'], version = version + 1
        WHERE id IN (SELECT id FROM offer WHERE status = 'active' ORDER BY id LIMIT 20)`,
    );
    await db.query(
      `UPDATE need SET estimated_usd = estimated_usd * 3, version = version + 1
        WHERE id IN (SELECT id FROM need WHERE status = 'published' ORDER BY id DESC LIMIT 60)`,
    );
    // Those changes bypassed the outbox; mark them matched, so that the workers' start-up
    // reconciler does not re-match records while the runs below are compared.
    await db.query(`UPDATE need SET matched_version = version`);
    await db.query(`UPDATE offer SET matched_version = version`);
    await db.query(`CREATE TABLE match_suggestion_start AS SELECT * FROM match_suggestion`);
    // Two workers, as two processes would be: each its own offer index and trackers. They copy
    // every new pair (COPY), where the API's per-record matching upserts them (this world's
    // sub-batches are below the default threshold): the runs below compare the two writes.
    const workerEnv = { ...api.env, MATCH_COPY_MIN_ROWS: '1' };
    workers.push(await bootTestWorker(AppConfig.fromEnv(workerEnv)));
    workers.push(await bootTestWorker(AppConfig.fromEnv(workerEnv)));
  }, 400_000);
  afterAll(async () => {
    for (const w of workers) await w.close();
    await api.close();
    await redis.down();
  });

  const restoreStart = async () => {
    await db.query(`DELETE FROM match_suggestion`);
    await db.query(`INSERT INTO match_suggestion SELECT * FROM match_suggestion_start`);
  };

  let expected: unknown[];

  it('stores the same suggestions as matching every record on its own, and reports progress', async () => {
    await perRecord();
    expected = await rows();
    expect(expected.length).toBeGreaterThan(60);
    await restoreStart();
    expect(await rows()).not.toEqual(expected);

    const started = Date.now();
    const jobId = await rematch();
    const seen: Record<string, any>[] = [];
    const done = await waitFor(
      async () => {
        const s = await jobStatus(jobId);
        seen.push(s);
        return s;
      },
      (s) => s.state === 'completed' || s.state === 'failed',
      120_000,
      'rematch completed',
    );
    expect(done.state).toBe('completed');
    const [{ needs, offers }] = await db.query(
      `SELECT (SELECT count(*)::int FROM need WHERE status IN ('published', 'partially_covered')) AS needs,
              (SELECT count(*)::int FROM offer WHERE status = 'active') AS offers`,
    );
    const chunks = Math.ceil(needs / 25);
    expect(done.result).toMatchObject({ needs, offers, chunks });
    expect(done.result.pairsConsidered).toBeLessThan(needs * offers);
    expect(done.progress).toEqual({
      percent: 100,
      phase: 'done',
      chunksDone: chunks,
      chunksTotal: chunks,
      needsDone: needs,
      needsTotal: needs,
    });
    // Progress only moves forward.
    const percents = seen.map((s) => s.progress?.percent ?? 0);
    expect(percents).toEqual([...percents].sort((a, b) => a - b));
    // Every chunk ran as a job of its own, once.
    const queue = api.app.get(QueueService).queue('matching');
    for (let i = 0; i < chunks; i++) {
      const chunk = await Job.fromId(queue, chunkJobId(jobId, i));
      expect(chunk && (await chunk.getState())).toBe('completed');
      expect(chunk!.attemptsMade).toBe(1);
    }
    // So did every part of the offers' side.
    const parts = Math.ceil(offers / 20);
    expect(parts).toBeGreaterThan(1);
    for (let i = 0; i < parts; i++) {
      const part = await Job.fromId(queue, offersJobId(jobId, i));
      expect(part && (await part.getState())).toBe('completed');
      expect(part!.attemptsMade).toBe(1);
    }
    expect(await Job.fromId(queue, offersJobId(jobId, parts))).toBeUndefined();
    // What the run kept in Redis (cursors, counts, every offer's top) is gone with it.
    const client = new IORedis(redis.url);
    const left = await client.keys(`${AppConfig.fromEnv(api.env).env.QUEUE_PREFIX}:matching-run:*`);
    await client.quit();
    expect(left).toEqual([]);
    expect(await rows()).toEqual(expected);
    // The rows the run copied have time-ordered ids (UUID version 7, the run's time in their
    // first 48 bits): the primary key grows at its right edge. Rows kept keep their ids.
    const copiedIds: { id: string }[] = await db.query(
      `SELECT id::text FROM match_suggestion WHERE id NOT IN (SELECT id FROM match_suggestion_start)`,
    );
    expect(copiedIds.length).toBeGreaterThan(10);
    for (const { id } of copiedIds) {
      expect(id[14]).toBe('7');
      const ms = parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
      expect(ms).toBeGreaterThanOrEqual(started);
      expect(ms).toBeLessThanOrEqual(Date.now());
    }
    // Acted-on rows are kept (flagged when no longer eligible), their versions untouched.
    const acted = await db.query(
      `SELECT status, version, eligible FROM match_suggestion WHERE status = 'shortlisted'`,
    );
    expect(acted).toHaveLength(15);
    expect(acted.every((r: { version: number }) => r.version === 2)).toBe(true);
    expect(acted.some((r: { eligible: boolean }) => !r.eligible)).toBe(true);
    const [{ stale }] = await db.query(
      `SELECT count(*)::int AS stale FROM need WHERE status IN ('published', 'partially_covered')
          AND matched_version IS DISTINCT FROM version`,
    );
    expect(stale).toBe(0);
  }, 400_000);

  it("finds the pairs of needs that are not open once, each in its offer's part", async () => {
    const matching = workers[0].get(MatchingService);
    const { bounds } = await matching.offerBounds(1);
    expect(bounds.length).toBeGreaterThan(3);
    // The world's closed needs may have pairs with one offer only: for this check, the needs of
    // stored pairs with the first and the last active offers are closed too (restored after).
    const borrowed: { id: string; status: string }[] = await db.query(
      `SELECT DISTINCT ON (s.offer_id) n.id, n.status FROM match_suggestion s
         JOIN need n ON n.id = s.need_id
        WHERE s.offer_id IN ($1, $2) AND n.status = ANY($3::text[])
        ORDER BY s.offer_id, n.id`,
      [bounds[0], bounds[bounds.length - 1], OPEN_NEED_STATUSES],
    );
    expect(borrowed).toHaveLength(2);
    await db.query(`UPDATE need SET status = 'closed' WHERE id = ANY($1::uuid[])`, [
      borrowed.map((n) => n.id),
    ]);
    try {
      const parts = await matching.closedPairsByPart(bounds);
      expect(parts).toHaveLength(bounds.length);
      const sorted = (byOffer: Record<string, string[]>) =>
        Object.fromEntries(
          Object.entries(byOffer)
            .sort(([a], [b]) => (a < b ? -1 : 1))
            .map(([offer, ids]) => [offer, [...ids].sort()]),
        );
      let pairs = 0;
      for (let i = 0; i < bounds.length; i++) {
        const rows: { id: string; offer_id: string }[] = await db.query(
          `SELECT s.id, s.offer_id FROM match_suggestion s
             JOIN need n ON n.id = s.need_id JOIN offer o ON o.id = s.offer_id
            WHERE n.status <> ALL($1::text[]) AND o.status = 'active'
              AND s.offer_id >= $2 AND ($3::uuid IS NULL OR s.offer_id < $3)`,
          [OPEN_NEED_STATUSES, bounds[i], bounds[i + 1] ?? null],
        );
        const expected: Record<string, string[]> = {};
        for (const r of rows) (expected[r.offer_id] ??= []).push(r.id);
        expect(sorted(parts[i])).toEqual(sorted(expected));
        pairs += rows.length;
      }
      expect(parts[0]).not.toEqual({});
      expect(parts[bounds.length - 1]).not.toEqual({});
      expect(pairs).toBeGreaterThan(1);
    } finally {
      for (const n of borrowed)
        await db.query(`UPDATE need SET status = $2 WHERE id = $1`, [n.id, n.status]);
    }
  });

  it('retries a failed chunk on its own, without redoing the finished ones', async () => {
    await restoreStart();
    // A need of the third chunk makes its chunk fail until the test lets it through (a row in
    // fail_switch), so the state between the failure and the retry is observed, not raced. The
    // failure is raised when its suggestions are written: it has stored ones, so the chunk
    // writes (upserts or removes) some of them whatever the scores.
    const [third] = await db.query(
      `SELECT id FROM (SELECT id FROM need WHERE status IN ('published', 'partially_covered')
                        ORDER BY id OFFSET 50 LIMIT 25) c
        WHERE EXISTS (SELECT 1 FROM match_suggestion_start s WHERE s.need_id = c.id)
        ORDER BY id LIMIT 1`,
    );
    expect(third).toBeDefined();
    await db.query(`CREATE TABLE fail_switch (on_ boolean NOT NULL)`);
    await db.query(`INSERT INTO fail_switch VALUES (true)`);
    await db.query(`
      CREATE FUNCTION fail_once() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF COALESCE(NEW.need_id, OLD.need_id) = '${third.id}' THEN
          IF (SELECT on_ FROM fail_switch) THEN
            RAISE EXCEPTION 'injected chunk failure';
          END IF;
        END IF;
        RETURN COALESCE(NEW, OLD);
      END $$`);
    await db.query(
      `CREATE TRIGGER fail_once BEFORE INSERT OR UPDATE OR DELETE ON match_suggestion
         FOR EACH ROW EXECUTE FUNCTION fail_once()`,
    );
    try {
      const jobId = await rematch();
      // While the failed chunk waits for its retry (backoff), the others are done and counted.
      const waiting = await waitFor(
        () => jobStatus(jobId),
        (s) =>
          s.state === 'completed' ||
          s.state === 'failed' ||
          (s.state === 'waiting-children' &&
            s.progress?.chunksDone === s.progress?.chunksTotal - 1),
        60_000,
        'all chunks but the failed one done',
      );
      expect(waiting.state).toBe('waiting-children');
      expect(waiting.progress.percent).toBeLessThan(90);
      await db.query(`UPDATE fail_switch SET on_ = false`);
      const done = await waitFor(
        () => jobStatus(jobId),
        (s) => s.state === 'completed' || s.state === 'failed',
        60_000,
        'rematch completed after the retry',
      );
      expect(done.state).toBe('completed');
      const queue = api.app.get(QueueService).queue('matching');
      const attempts: number[] = [];
      const started: number[] = [];
      for (let i = 0; i < done.result.chunks; i++) {
        const chunk = (await Job.fromId(queue, chunkJobId(jobId, i)))!;
        attempts.push(chunk.attemptsMade);
        started.push(chunk.attemptsStarted);
      }
      // The failed chunk was started again (once or more, while the switch was on); no other
      // chunk was redone. Both counts are in the message of a failure (CI once saw the failed
      // chunk's attemptsMade at 1, cause not established).
      expect({ attempts, started, third: started[2] >= 2 }).toEqual({
        attempts: attempts.map((a, i) => (i === 2 ? a : 1)),
        started,
        third: true,
      });
      expect(await rows()).toEqual(expected);
    } finally {
      await db.query(`DROP TRIGGER fail_once ON match_suggestion`);
      await db.query(`DROP FUNCTION fail_once()`);
      await db.query(`DROP TABLE fail_switch`);
    }
  }, 400_000);

  it("offers' side: locks the needs of the pairs it inserts, one removed meanwhile included", async () => {
    const matching = workers[0].get(MatchingService);
    const runs = workers[0].get(RematchStore);
    const internals = matching as never as {
      lockParents: (m: unknown, needs: string[], offers: string[]) => Promise<void>;
    };
    await restoreStart();
    const runId = `late-${Date.now()}`;
    const { bounds } = await matching.chunkBounds(1_000_000);
    await matching.rematchChunk(runId, 0, bounds[0], null);
    // Between the lookup of the stored pairs and their lock, a pair of an offer's new top that
    // its need keeps is removed (as a match of that need dropping it would).
    let removed: { need_id: string; offer_id: string } | undefined;
    const calls: { needs: string[]; offers: string[] }[] = [];
    const original = internals.lockParents.bind(matching);
    const lock = jest
      .spyOn(internals, 'lockParents')
      .mockImplementation(async (m, needs, offers) => {
        calls.push({ needs: [...needs], offers: [...offers] });
        if (!removed && offers.length) {
          const tops = await runs.tops(runId, offers);
          const pairs = [...tops].flatMap(([offerId, xs]) => xs.map((x) => [x.id, offerId]));
          // A DELETE … RETURNING answers [rows, count]. The pair's need has no top pair
          // without a row (that one would have its need locked first, rightly): which stored
          // pair comes first by id must not decide whether the test can pass.
          [[removed]] = await db.query(
            `DELETE FROM match_suggestion WHERE id = (
             SELECT s.id FROM match_suggestion s
               JOIN unnest($1::uuid[], $2::uuid[]) AS t(need_id, offer_id)
                 ON s.need_id = t.need_id AND s.offer_id = t.offer_id
              WHERE s.in_need_top AND s.status = 'suggested' AND s.version = 1
                AND NOT EXISTS (
                  SELECT FROM unnest($1::uuid[], $2::uuid[]) AS u(need_id, offer_id)
                   WHERE u.need_id = s.need_id AND NOT EXISTS (
                     SELECT FROM match_suggestion r
                      WHERE r.need_id = u.need_id AND r.offer_id = u.offer_id))
              ORDER BY s.id LIMIT 1)
           RETURNING need_id, offer_id`,
            [pairs.map((p) => p[0]), pairs.map((p) => p[1])],
          );
          expect(removed).toBeDefined();
          // Its need was not among those locked first: its pair had a row then.
          expect(needs).not.toContain(removed!.need_id);
        }
        return original(m, needs, offers);
      });
    try {
      await matching.finishOffers(runId, '00000000-0000-0000-0000-000000000000', null);
    } finally {
      lock.mockRestore();
    }
    // Its need was locked on its own, after the rows, and the pair stored again with the
    // offer's values.
    const late = calls.findIndex((c) => c.needs.includes(removed!.need_id));
    expect(late).toBeGreaterThan(0);
    expect(calls[late]).toEqual({ needs: [removed!.need_id], offers: [] });
    const [again] = await db.query(
      `SELECT in_offer_top, in_need_top FROM match_suggestion WHERE need_id = $1 AND offer_id = $2`,
      [removed!.need_id, removed!.offer_id],
    );
    expect(again).toEqual({ in_offer_top: true, in_need_top: false });
    // The needs locked first are those of top pairs without a row, far fewer than the tops.
    const first = calls.find((c) => c.offers.length)!;
    expect(first.needs.length).toBeLessThan(
      (await db.query(`SELECT count(*)::int AS n FROM match_suggestion WHERE in_offer_top`))[0].n,
    );
  }, 400_000);

  it('falls back to the upsert when a pair it copies was stored meanwhile', async () => {
    const matching = workers[0].get(MatchingService);
    const chunk = async (runId: string) => {
      const { bounds } = await matching.chunkBounds(1_000_000);
      return matching.rematchChunk(runId, 0, bounds[0], null);
    };
    const needsTop = async () =>
      (await rows()).filter((r: { in_need_top: boolean }) => r.in_need_top);
    // The needs' side as a chunk over every open need writes it.
    await restoreStart();
    await chunk(`plain-${Date.now()}`);
    const written = await needsTop();
    expect(written.length).toBeGreaterThan(60);

    // Again, but the chunk sees no stored pair, as if each had been inserted by a match of its
    // offer after the chunk locked the rows: it copies pairs that exist, the copy fails on the
    // pair's unique key, and the same rows go through the upsert in the same transaction.
    await restoreStart();
    const before: { id: string; need_id: string; offer_id: string }[] = await db.query(
      `SELECT id, need_id, offer_id FROM match_suggestion`,
    );
    type Pair = { need: { facts: { id: string } }; offer: { facts: { id: string } } };
    type Row = { needId: string; offerId: string };
    const internals = matching as never as {
      lockStored: () => Promise<unknown[]>;
      insertFresh: (m: unknown, flag: string, pairs: Pair[]) => Promise<void>;
      upsert: (m: unknown, flag: string, rows: Row[]) => Promise<void>;
    };
    const hidden = jest.spyOn(internals, 'lockStored').mockResolvedValue([]);
    const copies = jest.spyOn(internals, 'insertFresh');
    const upserts = jest.spyOn(internals, 'upsert');
    let copied: string[];
    let upserted: string[];
    try {
      await chunk(`hidden-${Date.now()}`);
    } finally {
      // Each call's pairs, as one key in their order.
      copied = copies.mock.calls.map((c) =>
        c[2].map((p) => `${p.need.facts.id}:${p.offer.facts.id}`).join(' '),
      );
      upserted = upserts.mock.calls.map((c) =>
        c[2].map((r) => `${r.needId}:${r.offerId}`).join(' '),
      );
      hidden.mockRestore();
      copies.mockRestore();
      upserts.mockRestore();
    }
    // Every sub-batch was copied, and at least one (a stored pair among its rows) upserted.
    expect(copied.length).toBeGreaterThan(0);
    expect(upserted.some((rows) => rows && copied.includes(rows))).toBe(true);
    // Each pair is stored once, and a pair stored before keeps its row: updated, not replaced.
    const after: typeof before = await db.query(
      `SELECT id, need_id, offer_id FROM match_suggestion`,
    );
    const idOf = new Map(after.map((r) => [`${r.need_id}:${r.offer_id}`, r.id]));
    expect(idOf.size).toBe(after.length);
    for (const r of before) expect(idOf.get(`${r.need_id}:${r.offer_id}`)).toBe(r.id);
    // The pairs the chunk keeps hold exactly what the plain chunk wrote. (Pairs it could not
    // see stay as they were: the hidden lock is the test's doing, not a state the service meets.)
    const kept = new Map(
      (await needsTop()).map((r: { need_id: string; offer_id: string }) => [
        `${r.need_id}:${r.offer_id}`,
        r,
      ]),
    );
    for (const r of written as { need_id: string; offer_id: string }[])
      expect(kept.get(`${r.need_id}:${r.offer_id}`)).toEqual(r);
  }, 400_000);
});
