import { DataSource } from 'typeorm';
import {
  Cast,
  createCast,
  createNeed,
  fireNeed,
  insertRate,
  needBody,
  publishNeed,
} from '../factories/needs.factory';
import { bootTestApi, TestApi } from '../utils/test-app';

const TRANSITIONS = ['submit', 'review', 'publish', 'return', 'withdraw', 'close'] as const;
const ALLOWED: Record<string, string[]> = {
  draft: ['submit', 'withdraw'],
  submitted: ['review', 'publish', 'return', 'withdraw'],
  under_review: ['publish', 'return', 'withdraw'],
  published: ['withdraw', 'close'],
  closed: [],
  withdrawn: [],
};

describe('needs', () => {
  let api: TestApi;
  let cast: Cast;
  let db: DataSource;
  const auth = (token: string) => ({ Authorization: `Bearer ${token}` });

  beforeAll(async () => {
    api = await bootTestApi({ env: { WRITE_RATE_LIMIT_PER_MIN: '100000' } });
    cast = await createCast(api);
    db = api.app.get(DataSource);
    await insertRate(api, 'EUR', '2000-01-01', '1.10');
  });
  afterAll(() => api.close());

  const get = (token: string, id: string) => api.http.get(`/api/v1/needs/${id}`).set(auth(token));
  const patch = (token: string, id: string, body: object, version?: number) => {
    const req = api.http.patch(`/api/v1/needs/${id}`).set(auth(token));
    if (version !== undefined) req.set('If-Match', `"${version}"`);
    return req.send(body);
  };
  const tokenFor = (transition: string) =>
    transition === 'submit' ? cast.sle.token : cast.secretariat.token;

  /** Every transition not allowed from the need's current status answers 409 and changes nothing. */
  async function expectForbiddenRefused(id: string): Promise<void> {
    const before = await get(cast.secretariat.token, id);
    const status = before.body.status as string;
    for (const t of TRANSITIONS.filter((t) => !ALLOWED[status].includes(t))) {
      const res = await fireNeed(api, tokenFor(t), id, t, before.body.version, {
        ...(t === 'return' ? { note: 'x' } : {}),
      });
      expect({ t, status: res.status, code: res.body.code }).toEqual({
        t,
        status: 409,
        code: 'INVALID_TRANSITION',
      });
      expect(res.body.details).toMatchObject({
        currentStatus: status,
        allowedTransitions: ALLOWED[status],
      });
    }
    const after = await get(cast.secretariat.token, id);
    expect(after.body).toEqual(before.body);
    expect(after.headers.etag).toBe(`"${before.body.version}"`);
  }

  describe('create', () => {
    it('a national contact declares a need for its own State, converted to USD', async () => {
      const res = await api.http
        .post('/api/v1/needs')
        .set(auth(cast.sle.token))
        .send(
          needBody({ estimatedCost: { amount: 1000.5, currency: 'EUR' }, location: 'Freetown' }),
        );
      expect(res.status).toBe(201);
      expect(res.headers.etag).toBe('"1"');
      expect(res.body).toMatchObject({
        partyId: cast.sleParty,
        state: 'SLE',
        status: 'draft',
        version: 1,
        filedOnBehalf: false,
        estimatedCost: { amount: 1000.5, currency: 'EUR' },
        estimatedCostUsd: 1100.55,
        usdRate: 1.1,
        rateDate: '2000-01-01',
        coveredUsd: 0,
        controlAreas: ['05.30'],
        location: 'Freetown',
        createdBy: cast.sle.userId,
      });
      const outbox = await db.query(
        `SELECT type, version, party_id FROM outbox_event WHERE entity_id = $1`,
        [res.body.id],
      );
      expect(outbox).toEqual([{ type: 'need.created', version: 1, party_id: cast.sleParty }]);
      const audit = await db.query(`SELECT action FROM audit_entry WHERE entity_id = $1`, [
        res.body.id,
      ]);
      expect(audit).toEqual([{ action: 'need.create' }]);
    });

    it('the secretariat files on a State’s behalf only with partyId', async () => {
      const without = await api.http
        .post('/api/v1/needs')
        .set(auth(cast.secretariat.token))
        .send(needBody());
      expect(without.status).toBe(400);
      expect(without.body.details).toEqual([expect.objectContaining({ field: 'partyId' })]);
      const onBehalf = await api.http
        .post('/api/v1/needs')
        .set(auth(cast.secretariat.token))
        .send(needBody({ partyId: cast.perParty }));
      expect(onBehalf.status).toBe(201);
      expect(onBehalf.body).toMatchObject({
        partyId: cast.perParty,
        state: 'PER',
        filedOnBehalf: true,
      });
      const notAState = await api.http
        .post('/api/v1/needs')
        .set(auth(cast.secretariat.token))
        .send(needBody({ partyId: cast.donor.partyId }));
      expect(notAState.status).toBe(422);
    });

    it('others may not declare needs', async () => {
      for (const token of [cast.donor.token, cast.ngo.token]) {
        const res = await api.http.post('/api/v1/needs').set(auth(token)).send(needBody());
        expect(res.status).toBe(403);
      }
      const other = await api.http
        .post('/api/v1/needs')
        .set(auth(cast.sle.token))
        .send(needBody({ partyId: cast.perParty }));
      expect(other.status).toBe(403);
    });
  });

  describe('bad input', () => {
    const count = async () => Number((await db.query(`SELECT count(*) AS n FROM need`))[0].n);
    const post = (body: object) =>
      api.http.post('/api/v1/needs').set(auth(cast.sle.token)).send(body);

    it.each([
      ['amount 0', { estimatedCost: { amount: 0, currency: 'USD' } }, 'estimatedCost.amount'],
      [
        'negative amount',
        { estimatedCost: { amount: -5, currency: 'USD' } },
        'estimatedCost.amount',
      ],
      [
        'absurd amount',
        { estimatedCost: { amount: 2e12, currency: 'USD' } },
        'estimatedCost.amount',
      ],
      [
        'not ISO currency',
        { estimatedCost: { amount: 5, currency: 'XYZ' } },
        'estimatedCost.currency',
      ],
      ['reversed window', { earliestStart: '2027-01-01', neededBy: '2026-01-01' }, 'earliestStart'],
      ['bad date', { neededBy: '31/12/2026' }, 'neededBy'],
      ['impossible date', { neededBy: '2026-02-30' }, 'neededBy'],
      ['unknown field', { colour: 'blue' }, 'colour'],
      ['long title', { title: 'x'.repeat(201) }, 'title'],
      ['long description', { description: 'x'.repeat(10001) }, 'description'],
      ['long location', { location: 'x'.repeat(301) }, 'location'],
      ['bad priority', { priority: 'urgent' }, 'priority'],
      ['bad visibility', { visibility: 'everyone' }, 'visibility'],
      ['bad language', { language: 'de' }, 'language'],
      [
        'unknown nested field',
        { estimatedCost: { amount: 5, currency: 'USD', fx: 1 } },
        'estimatedCost.fx',
      ],
    ])('%s → 400 naming the field', async (_name, override, field) => {
      const n = await count();
      const res = await post(needBody(override));
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
      expect(res.body.details.map((d: { field: string }) => d.field)).toContain(field);
      expect(await count()).toBe(n);
    });

    it('unknown codes → 422 listing exactly the unrecognised values per field', async () => {
      const n = await count();
      const res = await post(
        needBody({
          controlAreas: ['05.30', '99.99', 'XX'],
          assistanceTypes: ['training', 'money'],
          frameworks: ['ITI', 'NPT'],
        }),
      );
      expect(res.status).toBe(422);
      expect(res.body.code).toBe('UNKNOWN_REFERENCE');
      expect(res.body.details).toEqual([
        expect.objectContaining({ field: 'controlAreas', values: ['99.99', 'XX'] }),
        expect.objectContaining({ field: 'assistanceTypes', values: ['money'] }),
        expect.objectContaining({ field: 'frameworks', values: ['NPT'] }),
      ]);
      expect(await count()).toBe(n);
    });

    it('a valid currency without a rate → 422, nothing stored', async () => {
      const n = await count();
      const outbox = Number((await db.query(`SELECT count(*) AS n FROM outbox_event`))[0].n);
      const res = await post(needBody({ estimatedCost: { amount: 5000, currency: 'JPY' } }));
      expect(res.status).toBe(422);
      expect(res.body.details[0].field).toBe('estimatedCost.currency');
      expect(await count()).toBe(n);
      expect(Number((await db.query(`SELECT count(*) AS n FROM outbox_event`))[0].n)).toBe(outbox);
    });

    it('a plan item of another State → 422', async () => {
      const plan = await api.http
        .post('/api/v1/plans')
        .set(auth(cast.per.token))
        .send({
          title: 'Peru NAP',
          periodStart: '2025-01-01',
          periodEnd: '2028-12-31',
          coordinatingBody: 'DICSCAMEC',
          items: [{ title: 'Marking', rank: 1, controlAreas: ['05.30'] }],
        });
      expect(plan.status).toBe(201);
      const res = await post(needBody({ planItemId: plan.body.items[0].id }));
      expect(res.status).toBe(422);
      expect(res.body.details[0]).toMatchObject({ field: 'planItemId' });
      const own = await api.http
        .post('/api/v1/needs')
        .set(auth(cast.per.token))
        .send(needBody({ planItemId: plan.body.items[0].id }));
      expect(own.status).toBe(201);
      expect(own.body.planItemId).toBe(plan.body.items[0].id);
    });
  });

  describe('lifecycle', () => {
    it('walks submit → review → return → submit → publish → close, refusing the rest', async () => {
      const need = await createNeed(api, cast.sle.token);
      await expectForbiddenRefused(need.id);

      let res = await fireNeed(api, cast.sle.token, need.id, 'submit', 1);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ status: 'submitted', version: 2 });
      expect(res.body.submittedAt).toEqual(expect.any(String));
      expect(res.headers.etag).toBe('"2"');
      await expectForbiddenRefused(need.id);

      // Only the secretariat reviews; the owner sees the need but may not.
      expect((await fireNeed(api, cast.sle.token, need.id, 'review', 2)).status).toBe(403);
      res = await fireNeed(api, cast.secretariat.token, need.id, 'review', 2);
      expect(res.body).toMatchObject({ status: 'under_review', version: 3 });
      await expectForbiddenRefused(need.id);

      expect((await fireNeed(api, cast.secretariat.token, need.id, 'return', 3, {})).status).toBe(
        400,
      );
      res = await fireNeed(api, cast.secretariat.token, need.id, 'return', 3, {
        note: 'Please split the training part into its own need.',
      });
      expect(res.body).toMatchObject({
        status: 'draft',
        version: 4,
        statusNote: 'Please split the training part into its own need.',
      });

      res = await fireNeed(api, cast.sle.token, need.id, 'submit', 4);
      expect(res.body).toMatchObject({ status: 'submitted', version: 5 });
      res = await fireNeed(api, cast.secretariat.token, need.id, 'publish', 5);
      expect(res.body).toMatchObject({ status: 'published', version: 6 });
      expect(res.body.publishedAt).toEqual(expect.any(String));
      await expectForbiddenRefused(need.id);

      // A published need is no longer edited.
      const edit = await patch(cast.sle.token, need.id, { title: 'Changed' }, 6);
      expect(edit.status).toBe(409);

      // The owner may not close; the secretariat does.
      expect((await fireNeed(api, cast.sle.token, need.id, 'close', 6)).status).toBe(403);
      res = await fireNeed(api, cast.secretariat.token, need.id, 'close', 6);
      expect(res.body).toMatchObject({ status: 'closed', version: 7 });
      await expectForbiddenRefused(need.id);

      const events = await db.query(
        `SELECT type, version FROM outbox_event WHERE entity_id = $1 ORDER BY id`,
        [need.id],
      );
      expect(events).toEqual([
        { type: 'need.created', version: 1 },
        { type: 'need.submitted', version: 2 },
        { type: 'need.under_review', version: 3 },
        { type: 'need.returned', version: 4 },
        { type: 'need.submitted', version: 5 },
        { type: 'need.published', version: 6 },
        { type: 'need.closed', version: 7 },
      ]);
      const audit = await db.query(
        `SELECT action, changes FROM audit_entry WHERE entity_id = $1 ORDER BY at, id`,
        [need.id],
      );
      expect(audit.map((a: { action: string }) => a.action)).toEqual([
        'need.create',
        'need.submit',
        'need.review',
        'need.return',
        'need.submit',
        'need.publish',
        'need.close',
      ]);
      expect(audit[3].changes.status).toEqual({ before: 'under_review', after: 'draft' });
    });

    it('withdraws from draft (owner) and from published (secretariat)', async () => {
      const a = await createNeed(api, cast.sle.token);
      let res = await fireNeed(api, cast.sle.token, a.id, 'withdraw', 1);
      expect(res.body).toMatchObject({ status: 'withdrawn', version: 2 });
      await expectForbiddenRefused(a.id);

      const b = await publishNeed(api, cast, await createNeed(api, cast.sle.token));
      res = await fireNeed(api, cast.secretariat.token, b.id, 'withdraw', b.version);
      expect(res.body).toMatchObject({ status: 'withdrawn' });
    });

    it('the secretariat submits a need it filed on a State’s behalf', async () => {
      const need = await createNeed(api, cast.secretariat.token, { partyId: cast.sleParty });
      const res = await fireNeed(api, cast.secretariat.token, need.id, 'submit', 1);
      expect(res.body).toMatchObject({ status: 'submitted', filedOnBehalf: true });
    });
  });

  describe('concurrency', () => {
    it('428 without If-Match, 412 when stale (with the current version), changing nothing', async () => {
      const need = await createNeed(api, cast.sle.token);
      const missing = await patch(cast.sle.token, need.id, { title: 'New title' });
      expect(missing.status).toBe(428);
      expect(missing.body.code).toBe('PRECONDITION_REQUIRED');
      const missingT = await fireNeed(api, cast.sle.token, need.id, 'submit', undefined);
      expect(missingT.status).toBe(428);

      const ok = await patch(cast.sle.token, need.id, { title: 'New title' }, 1);
      expect(ok.status).toBe(200);
      expect(ok.headers.etag).toBe('"2"');

      const stale = await patch(cast.sle.token, need.id, { title: 'Lost update' }, 1);
      expect(stale.status).toBe(412);
      expect(stale.body.details).toMatchObject({ currentVersion: 2 });
      const staleT = await fireNeed(api, cast.sle.token, need.id, 'submit', 1);
      expect(staleT.status).toBe(412);

      const now = await get(cast.sle.token, need.id);
      expect(now.body).toMatchObject({ title: 'New title', version: 2, status: 'draft' });
      expect(now.headers.etag).toBe('"2"');
    });

    it('404 comes before the precondition for a caller who cannot see the need', async () => {
      const need = await createNeed(api, cast.sle.token);
      const res = await patch(cast.per.token, need.id, { title: 'x' });
      expect(res.status).toBe(404);
      expect((await fireNeed(api, cast.donor.token, need.id, 'withdraw', undefined)).status).toBe(
        404,
      );
    });
  });

  describe('PATCH', () => {
    it('replaces the arrays it names, leaves the rest, re-converts a changed amount', async () => {
      const need = await createNeed(api, cast.sle.token, {
        controlAreas: ['05.30', '05.31'],
        location: 'Bo',
      });
      const res = await patch(
        cast.sle.token,
        need.id,
        { controlAreas: ['AMMO'], estimatedCost: { amount: 200, currency: 'EUR' } },
        1,
      );
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        controlAreas: ['AMMO'],
        assistanceTypes: need.assistanceTypes,
        frameworks: need.frameworks,
        location: 'Bo',
        title: need.title,
        estimatedCost: { amount: 200, currency: 'EUR' },
        estimatedCostUsd: 220,
        version: 2,
      });
      const cleared = await patch(cast.secretariat.token, need.id, { location: null }, 2);
      expect(cleared.body).toMatchObject({ location: null, version: 3 });

      const nulled = await patch(cast.sle.token, need.id, { title: null }, 3);
      expect(nulled.status).toBe(400);
      const reversed = await patch(cast.sle.token, need.id, { earliestStart: '2030-01-01' }, 3);
      expect(reversed.status).toBe(400);
      expect(reversed.body.details[0].field).toBe('earliestStart');
      const unknown = await patch(cast.sle.token, need.id, { frameworks: ['PoA', 'BOGUS'] }, 3);
      expect(unknown.status).toBe(422);
      expect(unknown.body.details).toEqual([
        expect.objectContaining({ field: 'frameworks', values: ['BOGUS'] }),
      ]);
      const noRate = await patch(
        cast.sle.token,
        need.id,
        { estimatedCost: { amount: 1, currency: 'JPY' } },
        3,
      );
      expect(noRate.status).toBe(422);
      expect((await get(cast.sle.token, need.id)).body).toMatchObject({
        version: 3,
        estimatedCost: { amount: 200, currency: 'EUR' },
      });

      const audit = await db.query(
        `SELECT changes FROM audit_entry WHERE entity_id = $1 AND action = 'need.update' ORDER BY at LIMIT 1`,
        [need.id],
      );
      expect(audit[0].changes.controlAreas).toEqual({
        before: ['05.30', '05.31'],
        after: ['AMMO'],
      });
    });

    it('donors and other States never change a need: 404 unseen, 403 seen', async () => {
      const need = await publishNeed(api, cast, await createNeed(api, cast.sle.token));
      for (const token of [cast.per.token, cast.donor.token, cast.sleDonorSide.token]) {
        const res = await patch(token, need.id, { title: 'x' }, need.version);
        expect(res.status).toBe(403);
        expect((await fireNeed(api, token, need.id, 'withdraw', need.version)).status).toBe(403);
      }
    });
  });

  describe('visibility', () => {
    let ids: Record<string, string>;

    beforeAll(async () => {
      // A separate pair of States, so earlier tests' needs do not disturb the counts.
      await db.query(`DELETE FROM need`);
      const make = async (visibility: string, publish: boolean, token = cast.sle.token) => {
        const need = await createNeed(api, token, { visibility });
        return publish ? (await publishNeed(api, cast, need, token)).id : need.id;
      };
      ids = {
        slePublic: await make('public', true),
        sleDonors: await make('donors', true),
        sleSecretariat: await make('secretariat', true),
        sleDraftPublic: await make('public', false),
        perPublic: await make('public', true, cast.per.token),
        perDraft: await make('donors', false, cast.per.token),
      };
    });

    const visibleTo: Record<string, string[]> = {
      sle: ['slePublic', 'sleDonors', 'sleSecretariat', 'sleDraftPublic', 'perPublic'],
      per: ['slePublic', 'perPublic', 'perDraft'],
      donor: ['slePublic', 'sleDonors', 'perPublic'],
      secretariat: [
        'slePublic',
        'sleDonors',
        'sleSecretariat',
        'sleDraftPublic',
        'perPublic',
        'perDraft',
      ],
    };

    it.each(Object.keys(visibleTo))(
      '%s gets exactly its needs on GET and in the list',
      async (who) => {
        const token = cast[who as 'sle' | 'per' | 'donor' | 'secretariat'].token;
        for (const [name, id] of Object.entries(ids)) {
          const res = await get(token, id);
          expect({ name, status: res.status }).toEqual({
            name,
            status: visibleTo[who].includes(name) ? 200 : 404,
          });
        }
        const list = await api.http.get('/api/v1/needs').set(auth(token));
        expect(list.status).toBe(200);
        const byId = new Map(Object.entries(ids).map(([k, v]) => [v, k]));
        expect(list.body.items.map((n: { id: string }) => byId.get(n.id)).sort()).toEqual(
          [...visibleTo[who]].sort(),
        );
        expect(list.body.items).toHaveLength(visibleTo[who].length);
        expect(list.body.nextCursor).toBeNull();
      },
    );

    it('filters and pages within what the caller sees', async () => {
      const page1 = await api.http.get('/api/v1/needs?limit=2').set(auth(cast.secretariat.token));
      expect(page1.body.items).toHaveLength(2);
      expect(page1.body.nextCursor).toEqual(expect.any(String));
      const seen = [...page1.body.items];
      let cursor = page1.body.nextCursor;
      while (cursor) {
        const next = await api.http
          .get(`/api/v1/needs?limit=2&cursor=${cursor}`)
          .set(auth(cast.secretariat.token));
        seen.push(...next.body.items);
        cursor = next.body.nextCursor;
      }
      expect(new Set(seen.map((n) => n.id)).size).toBe(6);
      const created = seen.map((n) => n.createdAt);
      expect(created).toEqual([...created].sort().reverse());

      const q = (query: string, token = cast.donor.token) =>
        api.http.get(`/api/v1/needs?${query}`).set(auth(token));
      expect((await q('state=PER')).body.items.map((n: { id: string }) => n.id)).toEqual([
        ids.perPublic,
      ]);
      expect((await q('controlArea=05')).body.items).toHaveLength(3);
      expect((await q('controlArea=05.31')).body.items).toHaveLength(0);
      expect((await q('assistanceType=training')).body.items).toHaveLength(3);
      expect((await q('framework=ATT')).body.items).toHaveLength(0);
      expect((await q('status=published&priority=high')).body.items).toHaveLength(3);
      expect((await q('minCost=100000&maxCost=130000')).body.items).toHaveLength(3);
      expect((await q('minCost=130000')).body.items).toHaveLength(0);
      expect((await q('from=2026-06-01&to=2026-07-01')).body.items).toHaveLength(3);
      expect((await q('from=2027-01-01')).body.items).toHaveLength(0);

      for (const bad of ['state=XXX', 'controlArea=99', 'assistanceType=money', 'framework=NPT']) {
        const res = await q(bad);
        expect(res.status).toBe(400);
        expect(res.body.code).toBe('UNKNOWN_FILTER_VALUE');
      }
      expect((await q('limit=201')).status).toBe(400);
      expect((await q('status=bogus')).status).toBe(400);
    });
  });
});
