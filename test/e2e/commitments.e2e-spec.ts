import { DataSource } from 'typeorm';
import { Cast, createCast, createNeed, insertRate, publishNeed } from '../factories/needs.factory';
import { commitBody, fireMatch, insertMatch } from '../factories/matches.factory';
import { createActiveOffer } from '../factories/offers.factory';
import { bootTestApi, TestApi } from '../utils/test-app';

describe('commitments: coverage, envelopes and concurrency', () => {
  let api: TestApi;
  let db: DataSource;
  let cast: Cast;

  beforeAll(async () => {
    api = await bootTestApi({ env: { WRITE_RATE_LIMIT_PER_MIN: '100000' } });
    db = api.app.get(DataSource);
    cast = await createCast(api);
  });
  afterAll(() => api.close());

  const publishedNeed = async (amount: number) =>
    publishNeed(
      api,
      cast,
      await createNeed(api, cast.sle.token, { estimatedCost: { amount, currency: 'USD' } }),
    );
  const activeOffer = (total: number) =>
    createActiveOffer(api, cast.donor.token, {
      budget: { total, currency: 'USD' },
    });
  const needRow = async (id: string) =>
    (
      await db.query(
        `SELECT status, covered_usd::float8 AS covered, version FROM need WHERE id = $1`,
        [id],
      )
    )[0];
  const offerRow = async (id: string) =>
    (
      await db.query(
        `SELECT status, committed_usd::float8 AS committed, remaining_usd::float8 AS remaining, version FROM offer WHERE id = $1`,
        [id],
      )
    )[0];

  it('several commitments cover one need: partially_covered, then covered; the offer follows', async () => {
    const need = await publishedNeed(100000);
    const offerA = await activeOffer(300000);
    const offerB = await activeOffer(60000);
    const a = await insertMatch(api, { needId: need.id, offerId: offerA.id, status: 'agreed' });
    const b = await insertMatch(api, { needId: need.id, offerId: offerB.id, status: 'agreed' });

    const first = await fireMatch(
      api,
      cast.donor.token,
      a.id,
      'commit',
      a.version,
      commitBody({ amount: 40000 }),
    );
    expect(first.status).toBe(200);
    expect(first.headers.etag).toBe(`"${a.version + 1}"`);
    expect(first.body).toMatchObject({
      match: { id: a.id, status: 'committed', version: a.version + 1 },
      commitment: { amount: 40000, currency: 'USD', amountUsd: 40000, overCommitment: false },
      need: { status: 'partially_covered', coveredUsd: 40000 },
      offer: { status: 'active', committedUsd: 40000, remainingUsd: 260000 },
    });
    expect(await needRow(need.id)).toMatchObject({ status: 'partially_covered', covered: 40000 });

    // EUR at a dated rate: 50,000 EUR × 1.2 = 60,000 USD, exactly the rest of the need and offer B.
    await insertRate(api, 'EUR', '2020-01-01', '1.2');
    const second = await fireMatch(
      api,
      cast.donor.token,
      b.id,
      'commit',
      b.version,
      commitBody({ amount: 50000, currency: 'EUR' }),
    );
    expect(second.status).toBe(200);
    expect(second.body.commitment).toMatchObject({
      amount: 50000,
      currency: 'EUR',
      amountUsd: 60000,
    });
    expect(await needRow(need.id)).toMatchObject({ status: 'covered', covered: 100000 });
    expect(await offerRow(offerB.id)).toMatchObject({
      status: 'exhausted',
      committed: 60000,
      remaining: 0,
    });

    const listed = await api.http
      .get(`/api/v1/matches/${b.id}/commitments`)
      .set('Authorization', `Bearer ${cast.sle.token}`)
      .expect(200);
    expect(listed.body.items).toHaveLength(1);

    // Audit and outbox in the same transaction.
    const audits = await db.query(
      `SELECT action FROM audit_entry WHERE action IN ('commitment.create','need.commitment','offer.commitment','match.commit') AND (entity_id = $1 OR entity_id = $2 OR entity_id = $3 OR metadata->>'matchId' = $1)`,
      [b.id, need.id, offerB.id],
    );
    expect(audits.map((r: { action: string }) => r.action).sort()).toEqual(
      expect.arrayContaining([
        'commitment.create',
        'match.commit',
        'need.commitment',
        'offer.commitment',
      ]),
    );
    const events = await db.query(
      `SELECT type FROM outbox_event WHERE entity_id IN ($1, $2, $3) ORDER BY created_at`,
      [b.id, need.id, offerB.id],
    );
    expect(events.map((e: { type: string }) => e.type)).toEqual(
      expect.arrayContaining(['need.updated', 'offer.updated', 'match.committed']),
    );
  });

  it('refuses a commitment beyond the uncovered cost (409, nothing changed) unless the secretariat confirms it', async () => {
    const need = await publishedNeed(50000);
    const offer = await activeOffer(500000);
    const m = await insertMatch(api, { needId: need.id, offerId: offer.id, status: 'agreed' });
    const over = await fireMatch(
      api,
      cast.donor.token,
      m.id,
      'commit',
      m.version,
      commitBody({ amount: 70000 }),
    );
    expect(over.status).toBe(409);
    expect(over.body).toMatchObject({
      code: 'CONFLICT',
      details: { amountUsd: 70000, uncoveredUsd: 50000, overNeed: true, overOffer: false },
    });
    // even when the donor claims to confirm it
    const claimed = await fireMatch(
      api,
      cast.donor.token,
      m.id,
      'commit',
      m.version,
      commitBody({ amount: 70000, confirmOverCommitment: true }),
    );
    expect(claimed.status).toBe(409);
    expect(await needRow(need.id)).toMatchObject({ status: 'published', covered: 0 });
    const [{ n }] = await db.query(`SELECT count(*)::int AS n FROM commitment WHERE need_id = $1`, [
      need.id,
    ]);
    expect(n).toBe(0);

    // the secretariat may not commit for the donor without confirming an over-commitment
    await fireMatch(
      api,
      cast.secretariat.token,
      m.id,
      'commit',
      m.version,
      commitBody({ amount: 70000 }),
    ).expect(403);
    // the State may not commit
    await fireMatch(api, cast.sle.token, m.id, 'commit', m.version, commitBody()).expect(403);

    const confirmed = await fireMatch(
      api,
      cast.secretariat.token,
      m.id,
      'commit',
      m.version,
      commitBody({ amount: 70000, confirmOverCommitment: true }),
    );
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.commitment.overCommitment).toBe(true);
    expect(await needRow(need.id)).toMatchObject({ status: 'covered', covered: 70000 });
  });

  it('refuses a commitment beyond the offer’s remaining envelope', async () => {
    const need = await publishedNeed(200000);
    const offer = await activeOffer(30000);
    const m = await insertMatch(api, { needId: need.id, offerId: offer.id, status: 'agreed' });
    const res = await fireMatch(
      api,
      cast.donor.token,
      m.id,
      'commit',
      m.version,
      commitBody({ amount: 40000 }),
    );
    expect(res.status).toBe(409);
    expect(res.body.details).toMatchObject({ overOffer: true, remainingUsd: 30000 });
  });

  it('answers 422 for a currency without a rate, 400 for bad input, 409 when the match is not agreed', async () => {
    const need = await publishedNeed(100000);
    const offer = await activeOffer(100000);
    const m = await insertMatch(api, { needId: need.id, offerId: offer.id, status: 'agreed' });
    await fireMatch(
      api,
      cast.donor.token,
      m.id,
      'commit',
      m.version,
      commitBody({ currency: 'XOF' }),
    ).expect(422);
    await fireMatch(
      api,
      cast.donor.token,
      m.id,
      'commit',
      m.version,
      commitBody({ amount: -5 }),
    ).expect(400);
    await fireMatch(
      api,
      cast.donor.token,
      m.id,
      'commit',
      m.version,
      commitBody({ currency: 'ZZZ' }),
    ).expect(400);
    await fireMatch(
      api,
      cast.donor.token,
      m.id,
      'commit',
      m.version,
      commitBody({ startDate: '2027-01-01', endDate: '2026-01-01' }),
    ).expect(400);
    await fireMatch(
      api,
      cast.donor.token,
      m.id,
      'commit',
      m.version,
      commitBody({ extra: 1 }),
    ).expect(400);
    await fireMatch(api, cast.donor.token, m.id, 'commit', undefined, commitBody()).expect(428);
    await fireMatch(api, cast.donor.token, m.id, 'commit', m.version + 5, commitBody()).expect(412);
    const offer2 = await activeOffer(100000);
    const proposed = await insertMatch(api, {
      needId: need.id,
      offerId: offer2.id,
      status: 'proposed',
    });
    const res = await fireMatch(
      api,
      cast.donor.token,
      proposed.id,
      'commit',
      proposed.version,
      commitBody(),
    );
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('INVALID_TRANSITION');
  });

  it('parallel commitments that together exceed the need’s cost: exactly the allowed ones succeed', async () => {
    const need = await publishedNeed(100000);
    const offers = await Promise.all([1, 2, 3, 4, 5].map(() => activeOffer(1000000)));
    const matches = [];
    for (const o of offers)
      matches.push(await insertMatch(api, { needId: need.id, offerId: o.id, status: 'agreed' }));
    // 5 × 30,000 against a 100,000 need: 3 fit, 2 do not.
    const results = await Promise.all(
      matches.map((m) =>
        fireMatch(api, cast.donor.token, m.id, 'commit', m.version, commitBody({ amount: 30000 })),
      ),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 200, 200, 409, 409]);
    expect(await needRow(need.id)).toMatchObject({ status: 'partially_covered', covered: 90000 });
    const [{ n, sum }] = await db.query(
      `SELECT count(*)::int AS n, sum(amount_usd)::float8 AS sum FROM commitment WHERE need_id = $1`,
      [need.id],
    );
    expect({ n, sum }).toEqual({ n: 3, sum: 90000 });
  });

  it('parallel commitments that together exceed an offer’s envelope: exactly the allowed ones succeed', async () => {
    const offer = await activeOffer(100000);
    const needs = [];
    for (let i = 0; i < 4; i++) needs.push(await publishedNeed(60000));
    const matches = [];
    for (const n of needs)
      matches.push(await insertMatch(api, { needId: n.id, offerId: offer.id, status: 'agreed' }));
    const results = await Promise.all(
      matches.map((m) =>
        fireMatch(api, cast.donor.token, m.id, 'commit', m.version, commitBody({ amount: 50000 })),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 200, 409, 409]);
    expect(await offerRow(offer.id)).toMatchObject({
      status: 'exhausted',
      committed: 100000,
      remaining: 0,
    });
  });
});
