import { DataSource } from 'typeorm';
import { MatchingService } from '../../src/modules/matching/matching.service';
import { ConsentService } from '../../src/modules/review/consent.service';
import { addWorkingDays } from '../../src/modules/review/working-days';
import {
  Cast,
  createCast,
  createNeed,
  fireNeed,
  NeedBody,
  publishNeed,
} from '../factories/needs.factory';
import { createActiveOffer } from '../factories/offers.factory';
import { bootTestApi, TestApi } from '../utils/test-app';

describe('consent before circulation of needs filed on a State’s behalf', () => {
  let api: TestApi;
  let db: DataSource;
  let cast: Cast;
  let offerId: string;

  beforeAll(async () => {
    api = await bootTestApi({
      env: {
        NO_OBJECTION_WORKING_DAYS: '3',
        MATCH_MIN_SCORE: '0.1',
        WRITE_RATE_LIMIT_PER_MIN: '100000',
      },
    });
    db = api.app.get(DataSource);
    cast = await createCast(api);
    offerId = (
      await createActiveOffer(api, cast.donor.token, { budget: { total: 500000, currency: 'USD' } })
    ).id;
  });
  afterAll(() => api.close());

  const get = (path: string, token: string) =>
    api.http.get(`/api/v1${path}`).set('Authorization', `Bearer ${token}`);
  /** Filed by the secretariat for Sierra Leone, then submitted and published by it. */
  const filedOnBehalf = async (title: string): Promise<NeedBody> =>
    publishNeed(
      api,
      cast,
      await createNeed(api, cast.secretariat.token, { partyId: cast.sleParty, title }),
      cast.secretariat.token,
    );
  const storedMatches = async (needId: string) => {
    await api.app.get(MatchingService).match('need', needId);
    await api.app.get(MatchingService).match('offer', offerId);
    return (await db.query(`SELECT id FROM match_suggestion WHERE need_id = $1`, [needId]))
      .length as number;
  };
  const donorSees = async (needId: string) => {
    const one = await get(`/needs/${needId}`, cast.donor.token);
    const list = await get('/needs?limit=200', cast.donor.token).expect(200);
    const listed = list.body.items.some((n: { id: string }) => n.id === needId);
    expect(listed).toBe(one.status === 200);
    return one.status === 200;
  };

  it('a need the State publishes itself circulates at once (its publication is its consent)', async () => {
    const need = await publishNeed(api, cast, await createNeed(api, cast.sle.token));
    expect(need).toMatchObject({
      filedOnBehalf: false,
      consentStatus: null,
      consentDeadline: null,
    });
    expect(await donorSees(need.id)).toBe(true);
  });

  it('a need filed on the State’s behalf waits for consent: only the State and the secretariat see it, no matching', async () => {
    const need = await filedOnBehalf('Filed for Sierra Leone');
    expect(need).toMatchObject({
      filedOnBehalf: true,
      status: 'published',
      consentStatus: 'pending',
    });
    expect(new Date(need.consentDeadline).toISOString()).toBe(
      addWorkingDays(new Date(need.publishedAt), 3).toISOString(),
    );
    expect(await donorSees(need.id)).toBe(false);
    await get(`/needs/${need.id}`, cast.per.token).expect(404);
    await get(`/needs/${need.id}`, cast.sle.token).expect(200);
    await get(`/needs/${need.id}`, cast.secretariat.token).expect(200);
    expect(await storedMatches(need.id)).toBe(0);

    // Who may consent: the State's national contacts (404 for those who cannot see it).
    await fireNeed(api, cast.donor.token, need.id, 'consent', need.version).expect(404);
    await fireNeed(api, cast.secretariat.token, need.id, 'consent', need.version).expect(403);
    await fireNeed(api, cast.sle.token, need.id, 'consent', undefined).expect(428);
    await fireNeed(api, cast.sle.token, need.id, 'consent', need.version + 3).expect(412);
    const consented = await fireNeed(api, cast.sle.token, need.id, 'consent', need.version).expect(
      200,
    );
    expect(consented.body).toMatchObject({ consentStatus: 'given', version: need.version + 1 });
    expect(consented.headers.etag).toBe(`"${need.version + 1}"`);
    await fireNeed(api, cast.sle.token, need.id, 'consent', need.version + 1).expect(409);
    await fireNeed(api, cast.sle.token, need.id, 'object', need.version + 1, {
      note: 'Too late',
    }).expect(409);

    expect(await donorSees(need.id)).toBe(true);
    expect(await storedMatches(need.id)).toBe(1);
    const [event] = await db.query(
      `SELECT type FROM outbox_event WHERE entity_id = $1 AND type = 'need.consented'`,
      [need.id],
    );
    expect(event).toBeDefined();
  });

  it('an objection withdraws the need: it never circulates', async () => {
    const need = await filedOnBehalf('Filed but objected');
    await fireNeed(api, cast.sle.token, need.id, 'object', need.version, {}).expect(400);
    const objected = await fireNeed(api, cast.sle.token, need.id, 'object', need.version, {
      note: 'We did not ask for this yet',
    }).expect(200);
    expect(objected.body).toMatchObject({
      status: 'withdrawn',
      consentStatus: 'objected',
      statusNote: 'We did not ask for this yet',
    });
    expect(await donorSees(need.id)).toBe(false);
    expect(await storedMatches(need.id)).toBe(0);
    // The deadline passing later changes nothing.
    await db.query(`UPDATE need SET consent_deadline = now() - interval '1 day' WHERE id = $1`, [
      need.id,
    ]);
    expect((await api.app.get(ConsentService).releaseDue()).released).not.toContain(need.id);
  });

  it('after the no-objection period, the scheduled job circulates the need (system actor, outbox)', async () => {
    const due = await filedOnBehalf('Silence is consent');
    const notYet = await filedOnBehalf('Still within the period');
    await db.query(`UPDATE need SET consent_deadline = now() - interval '1 minute' WHERE id = $1`, [
      due.id,
    ]);
    const { released } = await api.app.get(ConsentService).releaseDue();
    expect(released).toEqual([due.id]);
    const after = await get(`/needs/${due.id}`, cast.sle.token).expect(200);
    expect(after.body).toMatchObject({ consentStatus: 'no_objection', version: due.version + 1 });
    expect(await donorSees(due.id)).toBe(true);
    expect(await donorSees(notYet.id)).toBe(false);
    expect(await storedMatches(due.id)).toBe(1);

    const [audit] = await db.query(
      `SELECT actor_kind, job_id FROM audit_entry WHERE entity_id = $1 AND action = 'need.consent_deemed'`,
      [due.id],
    );
    expect(audit).toMatchObject({ actor_kind: 'system' });
    const events = await db.query(
      `SELECT type, version FROM outbox_event WHERE entity_id = $1 AND type = 'need.circulated'`,
      [due.id],
    );
    expect(events).toEqual([{ type: 'need.circulated', version: due.version + 1 }]);
    // Idempotent: nothing more to release.
    expect((await api.app.get(ConsentService).releaseDue()).released).toEqual([]);
  });
});
