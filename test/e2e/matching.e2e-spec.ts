import type { TestingModule } from '@nestjs/testing';
import { ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { Job, Worker } from 'bullmq';
import IORedis from 'ioredis';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../src/config/app-config';
import { QueueService } from '../../src/queue/queue.service';
import { MatchesService } from '../../src/modules/matching/matches.service';
import { MatchingJobsService } from '../../src/modules/matching/matching-jobs.service';
import { MatchingService } from '../../src/modules/matching/matching.service';
import { createCast, createNeed, publishNeed, Cast } from '../factories/needs.factory';
import { createActiveOffer, createOffer, transitionOffer } from '../factories/offers.factory';
import { OwnRedis } from '../utils/own-redis';
import { ROOT } from '../utils/run-node';
import { bootTestApi, TestApi } from '../utils/test-app';
import { bootTestWorker } from '../utils/test-worker';
import { waitFor, waitUntilBlocking } from '../utils/wait';

describe('matching engine: suggestions through the queue, reconciled, never lost', () => {
  let redis: OwnRedis;
  let api: TestApi;
  let db: DataSource;
  let cast: Cast;
  let worker: TestingModule | undefined;

  const matchesOf = async (needId: string, token = cast.secretariat.token) =>
    (
      await api.http
        .get(`/api/v1/needs/${needId}/matches`)
        .set('Authorization', `Bearer ${token}`)
        .expect(200)
    ).body.items as Record<string, any>[];
  const rows = async () =>
    db.query(
      `SELECT need_id, offer_id, score, components, rules_passed, rules_failed, explanation, eligible, partial, in_need_top, in_offer_top, status
         FROM match_suggestion ORDER BY need_id, offer_id`,
    );
  const startWorker = async () => {
    worker = await bootTestWorker(AppConfig.fromEnv(api.env));
  };
  const stopWorker = async () => {
    await worker?.close();
    worker = undefined;
  };

  beforeAll(async () => {
    redis = await OwnRedis.start();
    api = await bootTestApi({
      env: { REDIS_URL: redis.url, WORKER_LOCK_MS: '2000', MATCH_MIN_SCORE: '0.1' },
    });
    db = api.app.get(DataSource);
    cast = await createCast(api);
    await startWorker();
  });
  afterAll(async () => {
    await stopWorker();
    await api.close();
    await redis.down();
  });

  let needId: string;
  let offer: { id: string; version: number };

  it('publishing a need yields explained suggestions through the queue within seconds', async () => {
    offer = await createActiveOffer(api, cast.donor.token, {
      eligibility: { regions: ['Western Africa'] },
    });
    const need = await createNeed(api, cast.sle.token);
    needId = need.id;
    const published = await publishNeed(api, cast, need);
    const started = Date.now();
    const [match] = await waitFor(
      () => matchesOf(needId),
      (m) => m.length === 1,
      10000,
      'a suggestion',
    );
    expect(Date.now() - started).toBeLessThan(10000);
    expect(match).toMatchObject({
      needId,
      offerId: offer.id,
      status: 'suggested',
      eligible: true,
      partial: true, // USD 120,000 is above the offer's 50,000 per project
      rulesPassed: [
        'need_open',
        'offer_active',
        'state_eligible',
        'assistance_type_shared',
        'windows_overlap',
        'above_offer_minimum',
        'envelope_left',
      ],
      rulesFailed: [],
    });
    expect(match.score).toBeGreaterThan(0.5);
    expect(match.components.areas).toBe(1);
    expect(match.explanation).toContain('Both cover 05.30 Marking and recordkeeping');
    expect(match.explanation).toContain("Sierra Leone is in the offer's region (Western Africa)");
    expect(match.explanation).toContain('(partial)');
    // the same row from the offer's side, and by id with an ETag
    const forOffer = await api.http
      .get(`/api/v1/offers/${offer.id}/matches`)
      .set('Authorization', `Bearer ${cast.donor.token}`)
      .expect(200);
    expect(forOffer.body.items.map((m: { id: string }) => m.id)).toEqual([match.id]);
    const one = await api.http
      .get(`/api/v1/matches/${match.id}`)
      .set('Authorization', `Bearer ${cast.donor.token}`)
      .expect(200);
    expect(one.headers.etag).toBe('"1"');
    // The suggestion may first come from the offer's job; the need's own job records that its
    // matches reflect the published version.
    await waitFor(
      async () =>
        (await db.query(`SELECT matched_version FROM need WHERE id = $1`, [needId]))[0]
          .matched_version,
      (v) => v === published.version,
      10000,
      'the need matched at its published version',
    );
  });

  it('another State cannot see the suggestions of a need it may not see', async () => {
    const restricted = await createNeed(api, cast.sle.token, {
      visibility: 'secretariat',
      title: 'Restricted need',
    });
    await publishNeed(api, cast, restricted);
    await waitFor(
      () => matchesOf(restricted.id),
      (m) => m.length === 1,
      10000,
      'restricted suggestion',
    );
    await api.http
      .get(`/api/v1/needs/${restricted.id}/matches`)
      .set('Authorization', `Bearer ${cast.per.token}`)
      .expect(404);
    await api.http
      .get(`/api/v1/needs/${restricted.id}/matches`)
      .set('Authorization', `Bearer ${cast.donor.token}`)
      .expect(404);
    const donorView = await api.http
      .get(`/api/v1/offers/${offer.id}/matches`)
      .set('Authorization', `Bearer ${cast.donor.token}`)
      .expect(200);
    expect(donorView.body.items.map((m: { needId: string }) => m.needId)).toEqual([needId]);
    const secretariatView = await api.http
      .get(`/api/v1/offers/${offer.id}/matches`)
      .set('Authorization', `Bearer ${cast.secretariat.token}`)
      .expect(200);
    expect(secretariatView.body.items).toHaveLength(2);
    await api.http
      .post(`/api/v1/needs/${restricted.id}/withdraw`)
      .set('Authorization', `Bearer ${cast.sle.token}`)
      .set(
        'If-Match',
        `"${(await db.query(`SELECT version FROM need WHERE id = $1`, [restricted.id]))[0].version}"`,
      )
      .expect(200);
    await waitFor(
      () => matchesOf(restricted.id),
      (m) => m.length === 0,
      10000,
      'withdrawn need unmatched',
    );
  });

  const patchOffer = async (eligibility: object) => {
    const current = await api.http
      .get(`/api/v1/offers/${offer.id}`)
      .set('Authorization', `Bearer ${cast.donor.token}`)
      .expect(200);
    await api.http
      .patch(`/api/v1/offers/${offer.id}`)
      .set('Authorization', `Bearer ${cast.donor.token}`)
      .set('If-Match', current.headers.etag)
      .send({ eligibility })
      .expect(200);
  };

  it('moving the offer eligibility away removes the suggestion, or flags it once someone acted on it', async () => {
    await patchOffer({ countries: ['PER'] });
    await waitFor(
      () => matchesOf(needId),
      (m) => m.length === 0,
      10000,
      'suggestion removed',
    );
    await patchOffer({});
    const [back] = await waitFor(
      () => matchesOf(needId),
      (m) => m.length === 1,
      10000,
      'suggestion back',
    );
    // Someone acts on it (the review workflow is a later issue; the row's status is what counts).
    await db.query(
      `UPDATE match_suggestion SET status = 'shortlisted', version = version + 1 WHERE id = $1`,
      [back.id],
    );
    await patchOffer({ excludeCountries: ['SLE'] });
    const [kept] = await waitFor(
      () => matchesOf(needId),
      (m) => m.length === 1 && m[0].eligible === false,
      10000,
      'flagged ineligible',
    );
    expect(kept).toMatchObject({
      id: back.id,
      status: 'shortlisted',
      eligible: false,
      rulesFailed: ['state_eligible'],
      version: 2,
    });
    await patchOffer({});
    await waitFor(
      () => matchesOf(needId),
      (m) => m.length === 1 && m[0].eligible === true,
      10000,
      'eligible again',
    );
  });

  it('running a job twice changes nothing', async () => {
    const matching = worker!.get(MatchingService);
    await matching.match('need', needId);
    const first = await rows();
    // Unchanged rows are not rewritten: same tuple (xmin), same computed_at.
    const tuples = () =>
      db.query(
        `SELECT id, xmin::text AS xmin, computed_at FROM match_suggestion ORDER BY need_id, offer_id`,
      );
    const before = await tuples();
    const again = await matching.match('need', needId);
    await matching.match('offer', offer.id);
    expect(again.kept).toBe(1);
    expect(await rows()).toEqual(first);
    expect(before.length).toBeGreaterThan(0);
    expect(await tuples()).toEqual(before);
    // A changed value is written: the stored score moved away is put back by the next run.
    await db.query(`UPDATE match_suggestion SET score = 0.0001 WHERE need_id = $1`, [needId]);
    await matching.match('need', needId);
    expect(await rows()).toEqual(first);
  });

  it('after a Redis flush loses queued work, the reconciler restores every pending computation', async () => {
    await stopWorker();
    const need = await createNeed(api, cast.sle.token, {
      title: 'Stockpile security',
      controlAreas: ['05.20'],
    });
    const published = await publishNeed(api, cast, need);
    // The relay had published the change and the job was queued ... then Redis lost it all.
    await api.app.get(MatchingJobsService).enqueueNeed(need.id, published.version);
    await db.query(`UPDATE outbox_event SET published_at = now() WHERE published_at IS NULL`);
    const client = new IORedis(redis.url);
    await client.flushall();
    client.disconnect();
    expect(await matchesOf(need.id)).toEqual([]);
    await startWorker(); // the reconciler runs at worker start
    const found = await waitFor(
      () => matchesOf(need.id),
      (m) => m.length === 1,
      15000,
      'reconciled suggestion',
    );
    expect(found[0].offerId).toBe(offer.id);
  });

  it('a worker killed with SIGKILL mid-job and restarted ends with the same rows as an uninterrupted run', async () => {
    await stopWorker();
    // Enough work that a full re-match takes a moment.
    for (let i = 0; i < 25; i++)
      await createActiveOffer(api, cast.donor.token, {
        title: `Offer ${i}`,
        controlAreas: [i % 2 ? '05.30' : '05.20'],
      });
    for (let i = 0; i < 25; i++) {
      const owner = i % 2 ? cast.sle.token : cast.per.token;
      await publishNeed(api, cast, await createNeed(api, owner, { title: `Need ${i}` }), owner);
    }
    await db.query(`UPDATE outbox_event SET published_at = now() WHERE published_at IS NULL`);
    const env = {
      ...api.env,
      PATH: process.env.PATH,
      WORKER_CONCURRENCY: '1',
      LOG_LEVEL: 'silent',
    };
    const spawnWorker = (): ChildProcess =>
      spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'src/worker.ts'], {
        cwd: ROOT,
        env,
        stdio: 'ignore',
      });
    // The run is held mid-way, whatever the machine's speed: this session holds the advisory
    // lock of the first open need, which the first chunk takes before matching it.
    const holder = new Client({ connectionString: api.databaseUrl });
    await holder.connect();
    const [{ pid: holderPid }] = (await holder.query(`SELECT pg_backend_pid() AS pid`)).rows;
    const [{ id: firstNeed }] = await db.query(
      `SELECT id FROM need WHERE status = 'published' ORDER BY id LIMIT 1`,
    );
    await holder.query(`SELECT pg_advisory_lock(hashtext($1))`, [`match:need:${firstNeed}`]);
    const { jobId } = (
      await api.http
        .post('/api/v1/matching/rematch')
        .set('Authorization', `Bearer ${cast.secretariat.token}`)
        .expect(202)
    ).body;
    let child = spawnWorker();
    const jobStatus = async () =>
      (
        await api.http
          .get(`/api/v1/jobs/${jobId}`)
          .set('Authorization', `Bearer ${cast.secretariat.token}`)
          .expect(200)
      ).body;
    // The re-match is a parent job: active while it splits the work, then waiting for its
    // chunk jobs.
    const running = await waitFor(
      jobStatus,
      (s) => ['active', 'waiting-children', 'completed'].includes(s.state),
      60000,
      'rematch started',
    );
    expect(['active', 'waiting-children']).toContain(running.state); // killed mid-job, not after it
    await waitUntilBlocking(db, holderPid, 'a chunk waiting for the first need', 60000);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    await holder.end(); // releases the lock
    child = spawnWorker();
    try {
      const done = await waitFor(
        jobStatus,
        (s) => s.state === 'completed',
        90000,
        'rematch completed after restart',
      );
      const [{ needs, offers }] = await db.query(
        `SELECT (SELECT count(*)::int FROM need WHERE status = 'published') AS needs, (SELECT count(*)::int FROM offer WHERE status = 'active') AS offers`,
      );
      expect(done.result).toMatchObject({ needs, offers });
      await waitFor(
        async () =>
          (
            await db.query(
              `SELECT count(*)::int AS n FROM need WHERE matched_version IS DISTINCT FROM version AND status = 'published'`,
            )
          )[0].n,
        (n) => n === 0,
        30000,
        'all needs matched',
      );
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
    const afterRecovery = await rows();
    // An uninterrupted run over the same data.
    const matching = api.app.get(MatchingService);
    for (const { id } of await db.query(
      `SELECT id FROM need WHERE status = 'published' ORDER BY id`,
    ))
      await matching.match('need', id);
    for (const { id } of await db.query(`SELECT id FROM offer WHERE status = 'active' ORDER BY id`))
      await matching.match('offer', id);
    expect(await rows()).toEqual(afterRecovery);
    expect(afterRecovery.length).toBeGreaterThan(25);
  }, 180000);

  it('POST /matching/rematch is for the secretariat and audited', async () => {
    await api.http
      .post('/api/v1/matching/rematch')
      .set('Authorization', `Bearer ${cast.donor.token}`)
      .expect(403);
    const audit = await db.query(
      `SELECT action, actor_kind FROM audit_entry WHERE action LIKE 'matching.%' ORDER BY at`,
    );
    expect(audit).toEqual(
      expect.arrayContaining([
        { action: 'matching.rematch_requested', actor_kind: 'user' },
        { action: 'matching.rematch_completed', actor_kind: 'system' },
      ]),
    );
  });

  it('draft offers do not match; pausing an offer removes its suggestions', async () => {
    const draft = await createOffer(api, cast.donor.token, { title: 'Draft offer' });
    await new Promise((r) => setTimeout(r, 300));
    const [{ n }] = await db.query(
      `SELECT count(*)::int AS n FROM match_suggestion WHERE offer_id = $1`,
      [draft.id],
    );
    expect(n).toBe(0);
    await startWorker();
    const current = await api.http
      .get(`/api/v1/offers/${offer.id}`)
      .set('Authorization', `Bearer ${cast.donor.token}`)
      .expect(200);
    await transitionOffer(api, cast.donor.token, offer.id, 'pause', current.body.version).expect(
      200,
    );
    await waitFor(
      async () =>
        (
          await db.query(
            `SELECT count(*)::int AS n FROM match_suggestion WHERE offer_id = $1 AND status = 'suggested'`,
            [offer.id],
          )
        )[0].n,
      (count) => count === 0,
      10000,
      'paused offer unmatched',
    );
  });

  it('a job that finishes while its status is read is never reported completed without its result', async () => {
    await stopWorker();
    const queue = api.app.get(QueueService).queue('matching');
    const connection = new IORedis(redis.url, { maxRetriesPerRequest: null });
    // A worker driven by hand, so the job finishes exactly when the test says.
    const manual = new Worker('matching', null, {
      connection,
      prefix: queue.opts.prefix,
      autorun: false,
    });
    const spies: jest.SpyInstance[] = [];
    try {
      const added = await queue.add(
        'matching.rematch-all',
        { requestedBy: null },
        { jobId: randomUUID() },
      );
      const token = 'status-race';
      const job = (await manual.getNextJob(token)) as Job;
      expect(job.id).toBe(added.id);
      // Whichever read of the job comes first, the job completes right after it.
      let finished = false;
      const finishAfter = <T>(read: Promise<T>): Promise<T> =>
        read.then(async (value) => {
          if (!finished) {
            finished = true;
            await job.moveToCompleted({ answer: 42 }, token, false);
          }
          return value;
        });
      for (const method of ['getJob', 'getJobState'] as const) {
        const original = queue[method].bind(queue) as (id: string) => Promise<unknown>;
        spies.push(
          jest
            .spyOn(queue, method)
            .mockImplementation(((id: string) => finishAfter(original(id))) as never),
        );
      }
      const status = await api.app.get(MatchesService).job(String(job.id));
      expect(finished).toBe(true);
      if (status.state === 'completed') expect(status.result).toEqual({ answer: 42 });
      else expect(status.state).toBe('active');
      for (const spy of spies) spy.mockRestore();
      spies.length = 0;
      // Read again, it is completed with its result.
      expect(await api.app.get(MatchesService).job(String(job.id))).toMatchObject({
        state: 'completed',
        result: { answer: 42 },
      });
    } finally {
      for (const spy of spies) spy.mockRestore();
      await manual.close();
      connection.disconnect();
      await startWorker();
    }
  });

  it('GET /jobs/:id reports re-match jobs only, whatever other queues number theirs', async () => {
    const email = await api.app
      .get(QueueService)
      .queue('email')
      .add('email.send', { to: 'x@example.org', subject: 's', text: 't', purpose: 'test' });
    const matching = await api.app
      .get(QueueService)
      .queue('matching')
      .add('matching.reconcile', { reason: 'test' });
    const { jobId } = (
      await api.http
        .post('/api/v1/matching/rematch')
        .set('Authorization', `Bearer ${cast.secretariat.token}`)
        .expect(202)
    ).body as { jobId: string };
    // A re-match's id is its own: no queue's job counter can give the same.
    expect(jobId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    const status = (id: string) =>
      api.http.get(`/api/v1/jobs/${id}`).set('Authorization', `Bearer ${cast.secretariat.token}`);
    expect((await status(jobId).expect(200)).body).toMatchObject({
      id: jobId,
      name: 'matching.rematch-all',
    });
    // An e-mail or an internal matching job is not the endpoint's to show.
    await status(String(email.id)).expect(404);
    await status(String(matching.id)).expect(404);
    await waitFor(
      async () => (await status(jobId).expect(200)).body as { state: string },
      (s) => s.state === 'completed',
      60000,
      'rematch completed',
    );
  });
});
