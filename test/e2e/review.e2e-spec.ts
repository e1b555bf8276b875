import type { TestingModule } from '@nestjs/testing';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../src/config/app-config';
import { commitBody, fireMatch } from '../factories/matches.factory';
import { Cast, createCast, createNeed, publishNeed } from '../factories/needs.factory';
import { createActiveOffer } from '../factories/offers.factory';
import { OwnRedis } from '../utils/own-redis';
import { bootTestApi, TestApi } from '../utils/test-app';
import { bootTestWorker } from '../utils/test-worker';
import { waitFor } from '../utils/wait';

describe('reviewing matches: from suggestion to delivered assistance', () => {
  let redis: OwnRedis;
  let api: TestApi;
  let db: DataSource;
  let cast: Cast;
  let worker: TestingModule;

  const get = (path: string, token: string) =>
    api.http.get(`/api/v1${path}`).set('Authorization', `Bearer ${token}`);
  const matchesOf = async (needId: string) =>
    (await get(`/needs/${needId}/matches`, cast.secretariat.token).expect(200)).body
      .items as Record<string, any>[];
  const versionOf = async (matchId: string) =>
    (await get(`/matches/${matchId}`, cast.secretariat.token).expect(200)).body.version as number;

  beforeAll(async () => {
    redis = await OwnRedis.start();
    api = await bootTestApi({
      env: { REDIS_URL: redis.url, MATCH_MIN_SCORE: '0.1', WRITE_RATE_LIMIT_PER_MIN: '100000' },
    });
    db = api.app.get(DataSource);
    cast = await createCast(api);
    worker = await bootTestWorker(AppConfig.fromEnv(api.env));
  });
  afterAll(async () => {
    await worker?.close();
    await api.close();
    await redis.down();
  });

  let needId: string;
  let offerId: string;
  let matchId: string;

  it('the journey: declare, publish, offer, suggest, propose, agree, commit the full cost — every forbidden step refused', async () => {
    // A State declares and publishes a need (USD 120,000); a donor offers USD 300,000.
    const offer = await createActiveOffer(api, cast.donor.token, {
      budget: { total: 300000, currency: 'USD' },
      eligibility: { regions: ['Western Africa'] },
    });
    offerId = offer.id;
    const draft = await createNeed(api, cast.sle.token);
    needId = draft.id;
    await get(`/needs/${needId}/matches`, cast.donor.token).expect(404); // a draft is not visible
    await publishNeed(api, cast, draft);

    // The suggestion appears through the queue (outbox → worker → engine).
    const [suggestion] = await waitFor(
      () => matchesOf(needId),
      (m) => m.length === 1,
      15000,
      'the suggestion',
    );
    matchId = suggestion.id;
    expect(suggestion).toMatchObject({ offerId, status: 'suggested', version: 1 });
    const one = await get(`/matches/${matchId}`, cast.donor.token).expect(200);
    expect(one.headers.etag).toBe('"1"');

    // Not visible or absent → 404 before anything else (even without If-Match).
    await fireMatch(api, cast.secretariat.token, randomUUID(), 'propose', 1).expect(404);
    await fireMatch(api, cast.sle.token, randomUUID(), 'interest', undefined).expect(404);
    // Visible but not theirs → 403.
    await fireMatch(api, cast.sle.token, matchId, 'propose', 1).expect(403);
    await fireMatch(api, cast.donor.token, matchId, 'shortlist', 1).expect(403);
    await fireMatch(api, cast.per.token, matchId, 'interest', 1).expect(403); // another State
    await fireMatch(api, cast.sleDonorSide.token, matchId, 'interest', 1).expect(403); // not the donor
    await fireMatch(api, cast.secretariat.token, matchId, 'interest', 1).expect(403);
    // If-Match: missing → 428, stale → 412.
    await fireMatch(api, cast.secretariat.token, matchId, 'propose', undefined).expect(428);
    const stale = await fireMatch(api, cast.secretariat.token, matchId, 'propose', 7).expect(412);
    expect(stale.body.details).toMatchObject({ currentVersion: 1 });
    // Forbidden from this status → 409 INVALID_TRANSITION, record unchanged.
    const early = await fireMatch(api, cast.donor.token, matchId, 'commit', 1, commitBody());
    expect(early.status).toBe(409);
    expect(early.body).toMatchObject({
      code: 'INVALID_TRANSITION',
      details: { currentStatus: 'suggested' },
    });
    await fireMatch(api, cast.donor.token, matchId, 'start', 1).expect(409);
    await fireMatch(api, cast.secretariat.token, matchId, 'close', 1).expect(409);
    expect(await versionOf(matchId)).toBe(1);

    // The secretariat proposes.
    const proposed = await fireMatch(api, cast.secretariat.token, matchId, 'propose', 1).expect(
      200,
    );
    expect(proposed.body).toMatchObject({ status: 'proposed', version: 2 });
    expect(proposed.headers.etag).toBe('"2"');
    await fireMatch(api, cast.secretariat.token, matchId, 'propose', 2).expect(409);
    await fireMatch(api, cast.secretariat.token, matchId, 'shortlist', 2).expect(409);

    // Both sides express interest; once each.
    const stateSide = await fireMatch(api, cast.sle.token, matchId, 'interest', 2).expect(200);
    expect(stateSide.body).toMatchObject({ status: 'proposed', version: 3 });
    expect(stateSide.body.stateInterestAt).toEqual(expect.any(String));
    expect(stateSide.body.donorInterestAt).toBeNull();
    const twice = await fireMatch(api, cast.sle.token, matchId, 'interest', 3);
    expect(twice.status).toBe(409);
    await fireMatch(api, cast.donor.token, matchId, 'commit', 3, commitBody()).expect(409);
    const agreed = await fireMatch(api, cast.donor.token, matchId, 'interest', 3).expect(200);
    expect(agreed.body).toMatchObject({ status: 'agreed', version: 4 });
    await fireMatch(api, cast.donor.token, matchId, 'interest', 4).expect(409);

    // Only the donor side commits; beyond the need's cost is refused.
    await fireMatch(api, cast.sle.token, matchId, 'commit', 4, commitBody()).expect(403);
    await fireMatch(api, cast.donor.token, matchId, 'commit', undefined, commitBody()).expect(428);
    await fireMatch(api, cast.donor.token, matchId, 'commit', 3, commitBody()).expect(412);
    const over = await fireMatch(
      api,
      cast.donor.token,
      matchId,
      'commit',
      4,
      commitBody({ amount: 150000 }),
    );
    expect(over.status).toBe(409);
    expect(over.body.details).toMatchObject({ uncoveredUsd: 120000, overNeed: true });
    expect(await versionOf(matchId)).toBe(4);

    // The donor commits the full cost.
    const committed = await fireMatch(
      api,
      cast.donor.token,
      matchId,
      'commit',
      4,
      commitBody({ amount: 120000 }),
    ).expect(200);
    expect(committed.body).toMatchObject({
      match: { status: 'committed', version: 5 },
      need: { status: 'covered', coveredUsd: 120000 },
      offer: { status: 'active', committedUsd: 120000, remainingUsd: 180000 },
    });
    const need = await get(`/needs/${needId}`, cast.sle.token).expect(200);
    expect(need.body).toMatchObject({ status: 'covered', coveredUsd: 120000 });
    const offerNow = await get(`/offers/${offerId}`, cast.donor.token).expect(200);
    expect(offerNow.body).toMatchObject({ committedUsd: 120000, remainingUsd: 180000 });

    // After commitment: no decline, no second commitment; delivery follows.
    await fireMatch(api, cast.sle.token, matchId, 'decline', 5, { reasonCode: 'timing' }).expect(
      409,
    );
    await fireMatch(api, cast.donor.token, matchId, 'commit', 5, commitBody()).expect(409);
    await fireMatch(api, cast.sle.token, matchId, 'start', 5).expect(403);
    await fireMatch(api, cast.donor.token, matchId, 'start', 5).expect(200);
    await fireMatch(api, cast.secretariat.token, matchId, 'deliver', 6).expect(200);
    await fireMatch(api, cast.donor.token, matchId, 'close', 7).expect(403);
    const closed = await fireMatch(api, cast.secretariat.token, matchId, 'close', 7).expect(200);
    expect(closed.body).toMatchObject({ status: 'closed', version: 8 });

    // Every step audited and announced.
    const audited = await db.query(
      `SELECT action FROM audit_entry WHERE entity_type = 'match' AND entity_id = $1 ORDER BY at, id`,
      [matchId],
    );
    expect(audited.map((a: { action: string }) => a.action)).toEqual([
      'match.propose',
      'match.interest',
      'match.interest',
      'match.commit',
      'match.start',
      'match.deliver',
      'match.close',
    ]);
    const events = await db.query(
      `SELECT type FROM outbox_event WHERE entity_type = 'match' AND entity_id = $1`,
      [matchId],
    );
    expect(events.map((e: { type: string }) => e.type).sort()).toEqual(
      [
        'match.close',
        'match.committed',
        'match.deliver',
        'match.interest',
        'match.interest',
        'match.propose',
        'match.start',
      ].sort(),
    );
  });

  it('re-scoring after the commitment keeps the workflow (status, version) of the match', async () => {
    await waitFor(
      async () =>
        (
          await db.query(`SELECT matched_version = version AS done FROM need WHERE id = $1`, [
            needId,
          ])
        )[0].done as boolean,
      (done) => done,
      15000,
      'need re-matched',
    );
    const row = await get(`/matches/${matchId}`, cast.sle.token).expect(200);
    expect(row.body).toMatchObject({ status: 'closed', version: 8 });
    expect(row.headers.etag).toBe('"8"');
  });

  it('declining needs a reason code (and a note for `other`), by either side, before commitment', async () => {
    const need = await publishNeed(
      api,
      cast,
      await createNeed(api, cast.sle.token, { title: 'Record-keeping software' }),
    );
    const [m] = await waitFor(
      () => matchesOf(need.id),
      (rows) => rows.length >= 1,
      15000,
      'second suggestion',
    );
    await fireMatch(api, cast.donor.token, m.id, 'decline', 1, {}).expect(400);
    await fireMatch(api, cast.donor.token, m.id, 'decline', 1, { reasonCode: 'bored' }).expect(400);
    await fireMatch(api, cast.donor.token, m.id, 'decline', 1, { reasonCode: 'other' }).expect(400);
    await fireMatch(api, cast.per.token, m.id, 'decline', 1, { reasonCode: 'timing' }).expect(403);
    const declined = await fireMatch(api, cast.donor.token, m.id, 'decline', 1, {
      reasonCode: 'other',
      note: 'Our board prefers regional projects this year',
    }).expect(200);
    expect(declined.body).toMatchObject({
      status: 'declined',
      declineReasonCode: 'other',
      declinedBy: 'donor',
      version: 2,
    });
    await fireMatch(api, cast.sle.token, m.id, 'interest', 2).expect(409);
    await fireMatch(api, cast.sle.token, m.id, 'decline', 2, { reasonCode: 'timing' }).expect(409);
    await fireMatch(api, cast.secretariat.token, m.id, 'close', 2).expect(200);
  });

  it('the discussion: the two parties and the secretariat; author-only edits and soft deletes, audited', async () => {
    const post = (token: string, body: object) =>
      api.http
        .post(`/api/v1/matches/${matchId}/comments`)
        .set('Authorization', `Bearer ${token}`)
        .send(body);
    const created = await post(cast.sle.token, { body: 'Can delivery start in March?' }).expect(
      201,
    );
    await post(cast.donor.token, { body: 'Yes, with two trainers.' }).expect(201);
    await post(cast.secretariat.token, { body: 'Noted.' }).expect(201);
    await post(cast.per.token, { body: 'Hello' }).expect(403); // sees the match, not a party
    await post(cast.sle.token, {}).expect(400);
    await api.http
      .post(`/api/v1/matches/${randomUUID()}/comments`)
      .set('Authorization', `Bearer ${cast.sle.token}`)
      .send({ body: 'x' })
      .expect(404);
    await get(`/matches/${matchId}/comments`, cast.per.token).expect(403);

    const path = `/api/v1/matches/${matchId}/comments/${created.body.id}`;
    await api.http
      .patch(path)
      .set('Authorization', `Bearer ${cast.donor.token}`)
      .send({ body: 'Changed by someone else' })
      .expect(403);
    const edited = await api.http
      .patch(path)
      .set('Authorization', `Bearer ${cast.sle.token}`)
      .send({ body: 'Can delivery start in April?' })
      .expect(200);
    expect(edited.body).toMatchObject({ body: 'Can delivery start in April?', deleted: false });
    expect(edited.body.editedAt).toEqual(expect.any(String));
    await api.http.delete(path).set('Authorization', `Bearer ${cast.donor.token}`).expect(403);
    await api.http.delete(path).set('Authorization', `Bearer ${cast.sle.token}`).expect(204);
    await api.http.delete(path).set('Authorization', `Bearer ${cast.sle.token}`).expect(409);

    const thread = await get(`/matches/${matchId}/comments`, cast.donor.token).expect(200);
    expect(thread.body.items.map((c: { body: string }) => c.body)).toEqual([
      '[deleted]',
      'Yes, with two trainers.',
      'Noted.',
    ]);
    expect(thread.body.nextCursor).toBeNull();
    const paged = await get(`/matches/${matchId}/comments?limit=2`, cast.donor.token).expect(200);
    expect(paged.body.items).toHaveLength(2);
    const rest = await get(
      `/matches/${matchId}/comments?limit=2&cursor=${paged.body.nextCursor}`,
      cast.donor.token,
    ).expect(200);
    expect(rest.body.items.map((c: { body: string }) => c.body)).toEqual(['Noted.']);

    const audited = await db.query(
      `SELECT action, changes FROM audit_entry WHERE entity_type = 'match_comment' AND entity_id = $1 ORDER BY at, id`,
      [created.body.id],
    );
    expect(audited.map((a: { action: string }) => a.action)).toEqual([
      'match_comment.create',
      'match_comment.edit',
      'match_comment.delete',
    ]);
    expect(audited[1].changes.body).toEqual({
      before: 'Can delivery start in March?',
      after: 'Can delivery start in April?',
    });
  });

  it('pipelines: a State sees its needs, a donor its offers, the secretariat anyone’s', async () => {
    const state = await get('/pipeline', cast.sle.token).expect(200);
    const mine = state.body.needs.find((n: { needId: string }) => n.needId === needId);
    expect(mine).toMatchObject({
      status: 'covered',
      estimatedCostUsd: 120000,
      coveredUsd: 120000,
      coverage: 1,
      commitments: 1,
      committedUsd: 120000,
    });
    expect(state.body.offers).toEqual([]);
    const donor = await get('/pipeline', cast.donor.token).expect(200);
    const offer = donor.body.offers.find((o: { offerId: string }) => o.offerId === offerId);
    expect(offer).toMatchObject({
      totalUsd: 300000,
      remainingUsd: 180000,
      commitments: 1,
      committedUsd: 120000,
      coverage: 0.4,
    });
    expect(donor.body.needs).toEqual([]);
    await get(`/pipeline?partyId=${cast.sleParty}`, cast.donor.token).expect(403);
    const bySecretariat = await get(
      `/pipeline?partyId=${cast.sleParty}`,
      cast.secretariat.token,
    ).expect(200);
    expect(bySecretariat.body.needs.map((n: { needId: string }) => n.needId)).toContain(needId);
    await get('/pipeline?partyId=not-a-uuid', cast.secretariat.token).expect(400);
  });
});
