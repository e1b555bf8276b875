import type { TestingModule } from '@nestjs/testing';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../src/config/app-config';
import { QueueService } from '../../src/queue/queue.service';
import { checkAllocation, CheckInput } from '../../src/modules/allocation/checker';
import { commitBody, fireMatch } from '../factories/matches.factory';
import { Cast, createCast, createNeed, publishNeed } from '../factories/needs.factory';
import { createActiveOffer } from '../factories/offers.factory';
import { bootTestApi, TestApi } from '../utils/test-app';
import { bootTestWorker } from '../utils/test-worker';
import { waitFor } from '../utils/wait';

describe('allocation proposals: a job through the API and the worker, never binding', () => {
  let api: TestApi;
  let db: DataSource;
  let cast: Cast;
  let worker: TestingModule;
  const needIds: Record<string, string> = {};
  const offerIds: Record<string, string> = {};

  const as = (token: string) => ({
    get: (path: string) => api.http.get(path).set('Authorization', `Bearer ${token}`),
    post: (path: string, body: object) =>
      api.http.post(path).set('Authorization', `Bearer ${token}`).send(body),
  });
  const matchOf = async (need: string, offer: string) =>
    (
      await db.query(
        `SELECT id, version FROM match_suggestion WHERE need_id = $1 AND offer_id = $2`,
        [needIds[need], offerIds[offer]],
      )
    )[0] as { id: string; version: number };
  /** Everything a proposal must leave alone. */
  const state = () =>
    Promise.all([
      db.query(`SELECT id, status, covered_usd, version FROM need ORDER BY id`),
      db.query(`SELECT id, status, committed_usd, remaining_usd, version FROM offer ORDER BY id`),
      db.query(`SELECT * FROM commitment ORDER BY id`),
      db.query(`SELECT id, status, version FROM match_suggestion ORDER BY id`),
    ]);
  /** The facts the checker needs, read here with SQL of the test's own. */
  const checkFacts = async (integer: boolean): Promise<CheckInput> => {
    const needs = await db.query(
      `SELECT id, round((estimated_usd - covered_usd) * 100)::float8 AS uncovered FROM need
        WHERE status IN ('published', 'partially_covered')`,
    );
    const offers = await db.query(
      `SELECT id, round(remaining_usd * 100)::float8 AS remaining FROM offer WHERE status = 'active'`,
    );
    const pairs = await db.query(
      `SELECT m.need_id, m.offer_id,
              round(o.max_per_project * 100)::float8 - coalesce(c.committed, 0) AS max,
              CASE WHEN coalesce(c.committed, 0) > 0 THEN 0
                   ELSE coalesce(round(o.min_per_project * 100)::float8, 0) END AS min
         FROM match_suggestion m JOIN offer o ON o.id = m.offer_id
         LEFT JOIN (SELECT need_id, offer_id, sum(amount_usd) * 100 AS committed FROM commitment
                     GROUP BY need_id, offer_id) c ON c.need_id = m.need_id AND c.offer_id = m.offer_id
        WHERE m.eligible AND m.status NOT IN ('declined', 'closed')`,
    );
    return {
      needs: needs.map((n: any) => ({ id: n.id, uncoveredCents: n.uncovered })),
      offers: offers.map((o: any) => ({ id: o.id, remainingCents: o.remaining })),
      pairs: pairs.map((p: any) => ({
        needId: p.need_id,
        offerId: p.offer_id,
        maxCents: p.max === null ? null : Number(p.max),
        minCents: Number(p.min),
      })),
      integer,
    };
  };
  const toCheck = (assignments: { needId: string; offerId: string; amountUsd: number }[]) =>
    assignments.map((a) => ({
      needId: a.needId,
      offerId: a.offerId,
      amountCents: Math.round(a.amountUsd * 100),
    }));
  const finished = (id: string) =>
    waitFor(
      async () =>
        (await as(cast.secretariat.token).get(`/api/v1/coordination/allocations/${id}`)).body,
      (body) => body.status === 'succeeded' || body.status === 'failed',
      60_000,
      `allocation ${id}`,
    );

  beforeAll(async () => {
    api = await bootTestApi({
      env: { WRITE_RATE_LIMIT_PER_MIN: '100000', MATCH_MIN_SCORE: '0.05' },
    });
    db = api.app.get(DataSource);
    cast = await createCast(api);
    worker = await bootTestWorker(AppConfig.fromEnv(api.env));

    // Two offers: A with per-project limits (10k–50k), B without, 80k.
    offerIds.A = (await createActiveOffer(api, cast.donor.token)).id;
    offerIds.B = (
      await createActiveOffer(api, cast.donor.token, {
        title: 'Stockpile management',
        budget: { total: 80000, currency: 'USD' },
      })
    ).id;
    const needs: [string, string, Record<string, unknown>][] = [
      [
        'sleHigh',
        cast.sle.token,
        { priority: 'high', estimatedCost: { amount: 120000, currency: 'USD' } },
      ],
      [
        'sleLow',
        cast.sle.token,
        { priority: 'low', estimatedCost: { amount: 30000, currency: 'USD' } },
      ],
      [
        'perMedium',
        cast.per.token,
        { priority: 'medium', estimatedCost: { amount: 60000, currency: 'USD' } },
      ],
      [
        'perHigh',
        cast.per.token,
        {
          priority: 'high',
          estimatedCost: { amount: 40000, currency: 'USD' },
          visibility: 'secretariat',
        },
      ],
    ];
    for (const [key, token, overrides] of needs) {
      const need = await createNeed(api, token, { title: `Need ${key}`, ...overrides });
      await publishNeed(api, cast, need, token);
      needIds[key] = need.id;
    }
    // The matching engine suggests every pair (both offers are open to every State).
    await waitFor(
      async () =>
        Number(
          (
            await db.query(
              `SELECT count(*) AS n FROM match_suggestion WHERE eligible AND need_id = ANY($1::uuid[])`,
              [Object.values(needIds)],
            )
          )[0].n,
        ),
      (n) => n === 8,
      30_000,
      'eight suggestions',
    );

    // A real commitment through the review endpoints: 20k from A to the SLE high need.
    let m = await matchOf('sleHigh', 'A');
    await fireMatch(api, cast.sle.token, m.id, 'interest', m.version).expect(200);
    m = await matchOf('sleHigh', 'A');
    await fireMatch(api, cast.donor.token, m.id, 'interest', m.version).expect(200);
    m = await matchOf('sleHigh', 'A');
    await fireMatch(
      api,
      cast.donor.token,
      m.id,
      'commit',
      m.version,
      commitBody({ amount: 20000 }),
    ).expect(200);
    // And a declined pair, which no proposal may use.
    m = await matchOf('sleLow', 'B');
    await fireMatch(api, cast.donor.token, m.id, 'decline', m.version, {
      reasonCode: 'timing',
    }).expect(200);
  }, 120_000);

  afterAll(async () => {
    await worker?.close();
    await api?.close();
  });

  let runId: string;

  it('queues a run (202, audited), solves it in the worker and answers the documented shape', async () => {
    const before = await state();
    const res = await as(cast.secretariat.token)
      .post('/api/v1/coordination/allocations', { integer: true, timeLimitSeconds: 30 })
      .expect(202);
    runId = res.body.id;
    expect(Object.keys(res.body)).toEqual(['id']);
    const audit = await db.query(
      `SELECT action, actor_user_id FROM audit_entry WHERE entity_id = $1 ORDER BY at, id`,
      [runId],
    );
    expect(audit[0]).toMatchObject({
      action: 'allocation.request',
      actor_user_id: cast.secretariat.userId,
    });

    const early = (
      await as(cast.secretariat.token).get(`/api/v1/coordination/allocations/${runId}`)
    ).body;
    expect(['queued', 'running', 'succeeded']).toContain(early.status);
    expect(early.progress).toBeGreaterThanOrEqual(0);
    expect(early.progress).toBeLessThanOrEqual(100);

    const run = await finished(runId);
    expect(run).toMatchObject({
      id: runId,
      status: 'succeeded',
      progress: 100,
      integer: true,
      error: null,
    });
    // The BullMQ job reported its progress too, and its result.
    const job = await waitFor(
      () => api.app.get(QueueService).queue('allocation').getJob(runId),
      (j) => !!j?.finishedOn,
      15_000,
      'the BullMQ job to complete',
    );
    expect(job?.progress).toBe(100);
    expect(job?.returnvalue).toMatchObject({ status: 'succeeded' });
    for (const key of [
      'objective',
      'lpObjective',
      'gap',
      'greedyObjective',
      'lpOverGreedy',
      'solveSeconds',
    ]) {
      expect(typeof run[key]).toBe('number');
    }
    expect(run.lpObjective).toBeGreaterThanOrEqual(run.objective - 1e-9);
    expect(run.objective).toBeGreaterThanOrEqual(run.greedyObjective - 1e-9);
    expect(run.lpOverGreedy).toBeCloseTo(run.lpObjective / run.greedyObjective, 9);
    expect(run.gap).toBeGreaterThanOrEqual(0);
    expect(run.stats).toMatchObject({ needs: 4, offers: 2, pairs: 7, mip: { scope: 'full' } });

    expect(run.assignments.length).toBeGreaterThan(0);
    for (const a of run.assignments) {
      expect(Object.keys(a).sort()).toEqual([
        'amountUsd',
        'needId',
        'offerId',
        'priority',
        'reason',
        'score',
      ]);
      expect(a.reason).toMatchObject({ score: a.score, priority: a.priority });
      expect(Array.isArray(a.reason.bindingConstraints)).toBe(true);
      for (const c of a.reason.bindingConstraints) {
        expect([
          'offer_budget',
          'need_uncovered',
          'per_project_max',
          'per_project_min',
          'fairness_floor',
        ]).toContain(c);
      }
    }
    // The declined pair is never proposed; what was committed on a pair counts against its maximum.
    expect(
      run.assignments.some((a: any) => a.needId === needIds.sleLow && a.offerId === offerIds.B),
    ).toBe(false);
    const onCommitted = run.assignments.find(
      (a: any) => a.needId === needIds.sleHigh && a.offerId === offerIds.A,
    );
    if (onCommitted) expect(onCommitted.amountUsd).toBeLessThanOrEqual(30000);
    // Demand (230k − 20k committed) exceeds supply (80k left in A, 80k in B): the envelopes bind.
    expect(run.stats.proposedUsd).toBeGreaterThan(0);
    expect(run.assignments.every((a: any) => a.reason.bindingConstraints.length > 0)).toBe(true);

    // Every constraint holds, checked against facts read straight from the database.
    expect(checkAllocation(await checkFacts(true), toCheck(run.assignments))).toEqual([]);

    // The comparison: per need, committed now vs proposed.
    const high = run.comparison.needs.find((n: any) => n.needId === needIds.sleHigh);
    if (high) {
      expect(high).toMatchObject({
        estimatedUsd: 120000,
        committedAtSolveUsd: 20000,
        committedNowUsd: 20000,
        changedSinceSolve: false,
      });
    }
    const proposedTotal =
      run.assignments.reduce((s: number, a: any) => s + Math.round(a.amountUsd * 100), 0) / 100;
    expect(run.comparison.totals.proposedUsd).toBeCloseTo(proposedTotal, 2);
    expect(run.comparison.totals.needsInScope).toBe(4);
    for (const n of run.comparison.needs) {
      const sum = run.assignments
        .filter((a: any) => a.needId === n.needId)
        .reduce((s: number, a: any) => s + a.amountUsd, 0);
      expect(n.proposedUsd).toBeCloseTo(sum, 2);
      expect(n.coverageWithProposal).toBeLessThanOrEqual(1);
    }

    // A proposal: nothing was committed, no need, offer or match changed.
    expect(await state()).toEqual(before);
    const completion = await db.query(
      `SELECT action, actor_kind FROM audit_entry WHERE entity_id = $1 AND action = 'allocation.complete'`,
      [runId],
    );
    expect(completion).toEqual([{ action: 'allocation.complete', actor_kind: 'system' }]);
  });

  it('exports the assignments as CSV and lists the run', async () => {
    const run = (await as(cast.secretariat.token).get(`/api/v1/coordination/allocations/${runId}`))
      .body;
    const csv = await as(cast.secretariat.token)
      .get(`/api/v1/coordination/allocations/${runId}/export.csv`)
      .expect(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    const lines = csv.text.trim().split('\r\n');
    expect(lines[0]).toBe(
      'need_id,offer_id,priority,score,amount_usd,need_estimated_usd,need_committed_now_usd,need_proposed_total_usd,binding_constraints',
    );
    expect(lines).toHaveLength(run.assignments.length + 1);
    const first = lines[1].split(',');
    expect(first[0]).toBe(run.assignments[0].needId);
    expect(Number(first[4])).toBe(run.assignments[0].amountUsd);

    const list = await as(cast.secretariat.token)
      .get('/api/v1/coordination/allocations?limit=10')
      .expect(200);
    expect(list.body.items.map((r: any) => r.id)).toContain(runId);
    expect(list.body.items[0].assignments).toBeUndefined();
    expect(list.body).toHaveProperty('nextCursor');
  });

  it('only the secretariat and admins may request or read proposals', async () => {
    for (const token of [cast.donor.token, cast.sle.token]) {
      await as(token).get(`/api/v1/coordination/allocations/${runId}`).expect(403);
      await as(token).get('/api/v1/coordination/allocations').expect(403);
      await as(token).get(`/api/v1/coordination/allocations/${runId}/export.csv`).expect(403);
      await as(token).post('/api/v1/coordination/allocations', {}).expect(403);
    }
    await as(cast.secretariat.token)
      .get(`/api/v1/coordination/allocations/${randomUUID()}`)
      .expect(404);
  });

  it('refuses bad input with field-level messages', async () => {
    const post = (body: object) =>
      as(cast.secretariat.token).post('/api/v1/coordination/allocations', body);
    const unknownRegion = await post({ floors: [{ region: 'Atlantis', minUsd: 1000 }] }).expect(
      422,
    );
    expect(unknownRegion.body.details).toEqual([
      { field: 'floors.0.region', messages: [expect.stringContaining('Atlantis')] },
    ]);
    const both = await post({
      floors: [{ region: 'Western Africa', group: 'AFG', minUsd: 1 }],
    }).expect(400);
    expect(both.body.details[0].field).toBe('floors.0');
    const neither = await post({ floors: [{ region: 'Western Africa' }] }).expect(400);
    expect(neither.body.details[0].messages[0]).toContain('minUsd');
    const shares = await post({
      floors: [
        { region: 'Western Africa', minShare: 0.7 },
        { region: 'South America', minShare: 0.6 },
      ],
    }).expect(422);
    expect(shares.body.details[0].field).toBe('floors');
    const limits = await post({
      timeLimitSeconds: 0,
      weights: { high: -1, medium: 1 },
      extra: 1,
    }).expect(400);
    expect(limits.body.details.map((d: any) => d.field).sort()).toEqual(
      ['extra', 'timeLimitSeconds', 'weights.high', 'weights.low'].sort(),
    );
    await post({ scope: { offerIds: [randomUUID()] } }).expect(422);
    await post({ scope: { state: 'XXX' } }).expect(422);
  });

  it('a floor that cannot be met fails the run, naming the floor and what it could get', async () => {
    const res = await as(cast.secretariat.token)
      .post('/api/v1/coordination/allocations', {
        floors: [{ region: 'South America', minUsd: 5_000_000 }],
      })
      .expect(202);
    const run = await finished(res.body.id);
    expect(run.status).toBe('failed');
    expect(run.error).toMatchObject({
      code: 'INFEASIBLE_FLOORS',
      floors: [{ floor: 'region:005', minUsd: 5_000_000, reason: 'alone' }],
    });
    // The PER needs (100k) could get at most what the offers can give them.
    expect(run.error.floors[0].maxAchievableUsd).toBeGreaterThan(0);
    expect(run.error.floors[0].maxAchievableUsd).toBeLessThanOrEqual(100_000);
    expect(run.assignments).toEqual([]);
  });

  it('a feasible floor is met, and the LP version returns fractional coverage within every limit', async () => {
    const res = await as(cast.secretariat.token)
      .post('/api/v1/coordination/allocations', {
        floors: [{ region: 'South America', minUsd: 70_000 }],
        weights: { high: 1, medium: 1, low: 5 },
      })
      .expect(202);
    const run = await finished(res.body.id);
    expect(run.status).toBe('succeeded');
    expect(run.gap).toBe(0);
    expect(run.objective).toBeCloseTo(run.lpObjective, 6);
    const facts = await checkFacts(false);
    const perNeeds = [needIds.perMedium, needIds.perHigh];
    facts.floors = [{ label: 'region:005', needIds: perNeeds, minCents: 7_000_000 }];
    expect(checkAllocation(facts, toCheck(run.assignments))).toEqual([]);
    const toPer = run.assignments
      .filter((a: any) => perNeeds.includes(a.needId))
      .reduce((s: number, a: any) => s + a.amountUsd, 0);
    expect(toPer).toBeGreaterThanOrEqual(70_000 - 0.05);
  });
});
