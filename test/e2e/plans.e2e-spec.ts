import { DataSource } from 'typeorm';
import { Cast, createCast, createNeed } from '../factories/needs.factory';
import { bootTestApi, TestApi } from '../utils/test-app';

describe('national action plans', () => {
  let api: TestApi;
  let cast: Cast;
  let db: DataSource;
  const auth = (token: string) => ({ Authorization: `Bearer ${token}` });

  const planBody = (overrides: Record<string, unknown> = {}) => ({
    title: 'National Action Plan on SALW 2025–2029',
    periodStart: '2025-01-01',
    periodEnd: '2029-12-31',
    coordinatingBody: 'Sierra Leone National Commission on Small Arms',
    items: [
      { title: 'Mark all State-held weapons', rank: 1, controlAreas: ['05.30'] },
      { title: 'Destroy surplus', rank: 2, controlAreas: ['05.50', 'AMMO'] },
    ],
    ...overrides,
  });
  const create = (token: string, body: object = planBody()) =>
    api.http.post('/api/v1/plans').set(auth(token)).send(body);
  const get = (token: string, id: string) => api.http.get(`/api/v1/plans/${id}`).set(auth(token));
  const patch = (token: string, id: string, body: object, version?: number) => {
    const req = api.http.patch(`/api/v1/plans/${id}`).set(auth(token));
    if (version !== undefined) req.set('If-Match', `"${version}"`);
    return req.send(body);
  };
  const fire = (token: string, id: string, t: string, version?: number) => {
    const req = api.http.post(`/api/v1/plans/${id}/${t}`).set(auth(token));
    if (version !== undefined) req.set('If-Match', `"${version}"`);
    return req.send();
  };

  beforeAll(async () => {
    api = await bootTestApi({ env: { WRITE_RATE_LIMIT_PER_MIN: '100000' } });
    cast = await createCast(api);
    db = api.app.get(DataSource);
  });
  afterAll(() => api.close());

  it('a national contact files its State’s plan; the secretariat files one with partyId', async () => {
    const res = await create(cast.sle.token);
    expect(res.status).toBe(201);
    expect(res.headers.etag).toBe('"1"');
    expect(res.body).toMatchObject({
      partyId: cast.sleParty,
      state: 'SLE',
      status: 'draft',
      version: 1,
      items: [
        { title: 'Mark all State-held weapons', rank: 1, controlAreas: ['05.30'] },
        { title: 'Destroy surplus', rank: 2, controlAreas: ['05.50', 'AMMO'] },
      ],
    });
    const onBehalf = await create(cast.secretariat.token, planBody({ partyId: cast.perParty }));
    expect(onBehalf.status).toBe(201);
    expect(onBehalf.body.state).toBe('PER');
    expect((await create(cast.secretariat.token)).status).toBe(400);
    expect((await create(cast.donor.token)).status).toBe(403);
    expect((await create(cast.ngo.token)).status).toBe(403);
    const events = await db.query(`SELECT type FROM outbox_event WHERE entity_id = $1`, [
      res.body.id,
    ]);
    expect(events).toEqual([{ type: 'plan.created' }]);
  });

  it('refuses bad input: 400 per field, 422 for unknown control areas', async () => {
    const reversed = await create(
      cast.sle.token,
      planBody({ periodStart: '2030-01-01', periodEnd: '2025-01-01' }),
    );
    expect(reversed.status).toBe(400);
    expect(reversed.body.details[0].field).toBe('periodStart');
    const badItem = await create(
      cast.sle.token,
      planBody({ items: [{ title: 'x', rank: 0, controlAreas: [], extra: 1 }] }),
    );
    expect(badItem.status).toBe(400);
    expect(badItem.body.details.map((d: { field: string }) => d.field).sort()).toEqual([
      'items.0.extra',
      'items.0.rank',
    ]);
    const unknown = await create(
      cast.sle.token,
      planBody({
        items: [
          { title: 'a', rank: 1, controlAreas: ['05.30'] },
          { title: 'b', rank: 2, controlAreas: ['77', '05.50', 'ZZ'] },
        ],
      }),
    );
    expect(unknown.status).toBe(422);
    expect(unknown.body.details).toEqual([
      expect.objectContaining({ field: 'items[1].controlAreas', values: ['77', 'ZZ'] }),
    ]);
  });

  it('drafts are seen by their State and the secretariat; lists follow the caller', async () => {
    await db.query(`DELETE FROM need`);
    await db.query(`DELETE FROM national_action_plan`);
    const sleDraft = (await create(cast.sle.token)).body;
    const sleAdopted = (await create(cast.sle.token)).body;
    await fire(cast.sle.token, sleAdopted.id, 'adopt', 1);
    const perAdopted = (await create(cast.per.token)).body;
    await fire(cast.per.token, perAdopted.id, 'adopt', 1);

    expect((await get(cast.per.token, sleDraft.id)).status).toBe(404);
    expect((await get(cast.donor.token, sleDraft.id)).status).toBe(404);
    expect((await get(cast.secretariat.token, sleDraft.id)).status).toBe(200);
    const own = await get(cast.sle.token, sleDraft.id);
    expect(own.status).toBe(200);
    expect(own.headers.etag).toBe('"1"');
    expect((await get(cast.per.token, sleAdopted.id)).status).toBe(200);

    const list = async (token: string, query = '') =>
      (await api.http.get(`/api/v1/plans${query}`).set(auth(token))).body.items
        .map((p: { id: string }) => p.id)
        .sort();
    expect(await list(cast.sle.token)).toEqual([sleDraft.id, sleAdopted.id].sort());
    expect(await list(cast.per.token)).toEqual([perAdopted.id]);
    expect(await list(cast.donor.token)).toEqual([sleAdopted.id, perAdopted.id].sort());
    expect(await list(cast.secretariat.token)).toEqual(
      [sleDraft.id, sleAdopted.id, perAdopted.id].sort(),
    );
    expect(await list(cast.secretariat.token, '?state=PER')).toEqual([perAdopted.id]);
    expect(await list(cast.secretariat.token, '?status=draft')).toEqual([sleDraft.id]);
    const bad = await api.http.get('/api/v1/plans?state=XXX').set(auth(cast.donor.token));
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('UNKNOWN_FILTER_VALUE');
  });

  it('PATCH replaces items, keeping the ids it is given; If-Match is required', async () => {
    const plan = (await create(cast.sle.token)).body;
    const [marking, destroy] = plan.items;
    expect((await patch(cast.sle.token, plan.id, { title: 'x' })).status).toBe(428);
    expect((await patch(cast.per.token, plan.id, { title: 'x' })).status).toBe(404);

    const res = await patch(
      cast.sle.token,
      plan.id,
      {
        coordinatingBody: 'SLeNCSA',
        items: [
          { id: destroy.id, title: 'Destroy surplus weapons', rank: 1, controlAreas: ['05.50'] },
          { title: 'Border controls', rank: 2, controlAreas: ['05.60'] },
        ],
      },
      1,
    );
    expect(res.status).toBe(200);
    expect(res.headers.etag).toBe('"2"');
    expect(res.body).toMatchObject({
      coordinatingBody: 'SLeNCSA',
      title: plan.title,
      version: 2,
      items: [
        { id: destroy.id, title: 'Destroy surplus weapons', rank: 1, controlAreas: ['05.50'] },
        { title: 'Border controls', rank: 2, controlAreas: ['05.60'] },
      ],
    });
    expect(res.body.items[1].id).not.toBe(marking.id);
    expect(
      Number(
        (await db.query(`SELECT count(*) AS n FROM plan_item WHERE id = $1`, [marking.id]))[0].n,
      ),
    ).toBe(0);

    const stale = await patch(cast.sle.token, plan.id, { title: 'y' }, 1);
    expect(stale.status).toBe(412);
    expect(stale.body.details).toMatchObject({ currentVersion: 2 });

    const foreignId = await patch(
      cast.sle.token,
      plan.id,
      { items: [{ id: marking.id, title: 'gone', rank: 1, controlAreas: [] }] },
      2,
    );
    expect(foreignId.status).toBe(422);

    // An item a need links to cannot be dropped.
    const need = await createNeed(api, cast.sle.token, { planItemId: destroy.id });
    expect(need.planItemId).toBe(destroy.id);
    const drop = await patch(cast.sle.token, plan.id, { items: [] }, 2);
    expect(drop.status).toBe(409);
    expect((await get(cast.sle.token, plan.id)).body.items).toHaveLength(2);

    const audit = await db.query(
      `SELECT action, changes FROM audit_entry WHERE entity_id = $1 ORDER BY at`,
      [plan.id],
    );
    expect(audit.map((a: { action: string }) => a.action)).toEqual(['plan.create', 'plan.update']);
    expect(Object.keys(audit[1].changes).sort()).toEqual(['coordinatingBody', 'items']);
  });

  it('adopts, revises, re-adopts and closes; refuses the rest with 409', async () => {
    const plan = (await create(cast.sle.token)).body;
    expect((await fire(cast.sle.token, plan.id, 'adopt')).status).toBe(428);
    expect((await fire(cast.per.token, plan.id, 'adopt', 1)).status).toBe(404);
    for (const t of ['revise', 'close']) {
      const res = await fire(cast.sle.token, plan.id, t, 1);
      expect(res.status).toBe(409);
      expect(res.body).toMatchObject({
        code: 'INVALID_TRANSITION',
        details: { currentStatus: 'draft', allowedTransitions: ['adopt'] },
      });
    }
    let res = await fire(cast.sle.token, plan.id, 'adopt', 1);
    expect(res.body).toMatchObject({ status: 'adopted', version: 2 });
    expect((await fire(cast.per.token, plan.id, 'revise', 2)).status).toBe(403);
    expect((await fire(cast.donor.token, plan.id, 'revise', 2)).status).toBe(403);
    expect((await patch(cast.sle.token, plan.id, { title: 'x' }, 2)).status).toBe(409);
    expect((await fire(cast.sle.token, plan.id, 'adopt', 2)).status).toBe(409);
    res = await fire(cast.sle.token, plan.id, 'revise', 2);
    expect(res.body).toMatchObject({ status: 'under_revision', version: 3 });
    expect((await patch(cast.sle.token, plan.id, { title: 'Revised' }, 3)).status).toBe(200);
    res = await fire(cast.secretariat.token, plan.id, 'adopt', 4);
    expect(res.body).toMatchObject({ status: 'adopted', version: 5, title: 'Revised' });
    res = await fire(cast.secretariat.token, plan.id, 'close', 5);
    expect(res.body).toMatchObject({ status: 'closed', version: 6 });
    for (const t of ['adopt', 'revise', 'close']) {
      expect((await fire(cast.sle.token, plan.id, t, 6)).status).toBe(409);
    }
    expect((await get(cast.sle.token, plan.id)).body).toMatchObject({
      status: 'closed',
      version: 6,
    });
    const events = await db.query(
      `SELECT type, version FROM outbox_event WHERE entity_id = $1 ORDER BY id`,
      [plan.id],
    );
    expect(events).toEqual([
      { type: 'plan.created', version: 1 },
      { type: 'plan.adopted', version: 2 },
      { type: 'plan.revised', version: 3 },
      { type: 'plan.updated', version: 4 },
      { type: 'plan.adopted', version: 5 },
      { type: 'plan.closed', version: 6 },
    ]);
  });
});
