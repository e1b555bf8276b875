import { DataSource } from 'typeorm';
import { Need } from '../../src/modules/needs/need.entity';
import { toNeedDto } from '../../src/modules/needs/needs.service';
import { Cast, createCast, createNeed, fireNeed, insertRate } from '../factories/needs.factory';
import { bootTestApi, TestApi } from '../utils/test-app';

/**
 * `need.api_json` (migration NeedApiJson) is what `GET /needs` and `GET /needs/:id` send: the
 * trigger must write exactly what `toNeedDto` makes of the same row, key for key and value for
 * value, after every kind of write — through the API, and straight in SQL.
 */
describe('stored need representation (api_json)', () => {
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

  /** Every row: the stored JSON parsed, against the DTO mapping of the entity TypeORM reads. */
  async function expectAllRowsAgree(): Promise<number> {
    const stored = (await db.query(`SELECT id, api_json FROM need`)) as {
      id: string;
      api_json: string;
    }[];
    const entities = await db.getRepository(Need).find();
    expect(entities).toHaveLength(stored.length);
    for (const need of entities) {
      const row = stored.find((r) => r.id === need.id)!;
      const fromRow = JSON.parse(row.api_json) as Record<string, unknown>;
      const fromDto = JSON.parse(JSON.stringify(toNeedDto(need))) as Record<string, unknown>;
      expect({ id: need.id, json: fromRow }).toStrictEqual({ id: need.id, json: fromDto });
      expect(Object.keys(fromRow)).toEqual(Object.keys(fromDto));
    }
    return stored.length;
  }

  it('agrees with toNeedDto after creation, edits, transitions and SQL updates', async () => {
    const plain = await createNeed(api, cast.sle.token);
    const full = await createNeed(api, cast.sle.token, {
      title: 'Destruction of surplus ammunition',
      estimatedCost: { amount: 1000.55, currency: 'EUR' },
      location: 'Freetown',
      implementer: 'Sierra Leone National Commission on Small Arms',
      visibility: 'donors',
      controlAreas: ['05.50', '05.30'],
    });
    const onBehalf = await createNeed(api, cast.secretariat.token, {
      partyId: cast.sleParty,
      title: 'Filed on the State’s behalf',
    });
    expect(await expectAllRowsAgree()).toBe(3);

    const edited = await api.http
      .patch(`/api/v1/needs/${full.id}`)
      .set(auth(cast.sle.token))
      .set('If-Match', `"${full.version}"`)
      .send({ description: 'Ünïcode “quotes” \\ backslash\nnew line', earliestStart: null });
    expect(edited.status).toBe(200);
    const submitted = await fireNeed(api, cast.sle.token, full.id, 'submit', edited.body.version);
    expect(submitted.status).toBe(200);
    const returned = await fireNeed(
      api,
      cast.secretariat.token,
      full.id,
      'return',
      submitted.body.version,
      { note: 'Please give the quantities' },
    );
    expect(returned.status).toBe(200);
    const resubmitted = await fireNeed(
      api,
      cast.sle.token,
      full.id,
      'submit',
      returned.body.version,
    );
    const published = await fireNeed(
      api,
      cast.secretariat.token,
      full.id,
      'publish',
      resubmitted.body.version,
    );
    expect(published.status).toBe(200);
    await fireNeed(api, cast.sle.token, plain.id, 'withdraw', plain.version);
    // Written straight in SQL, as the commitment workflow and the matching engine do.
    await db.query(
      `UPDATE need SET covered_usd = 250.25, version = version + 1, updated_at = now() WHERE id = $1`,
      [full.id],
    );
    await db.query(`UPDATE need SET matched_version = version WHERE id = $1`, [onBehalf.id]);
    expect(await expectAllRowsAgree()).toBe(3);
    // The column cannot be written around the trigger.
    await db.query(`UPDATE need SET api_json = '{}' WHERE id = $1`, [plain.id]);
    expect(await expectAllRowsAgree()).toBe(3);
  });

  it('the read and the list send the stored representation, equal to what a write answers', async () => {
    const need = await createNeed(api, cast.per.token, {
      title: 'Record-keeping software for the arms registry',
      estimatedCost: { amount: 98765.43, currency: 'EUR' },
    });
    const edited = await api.http
      .patch(`/api/v1/needs/${need.id}`)
      .set(auth(cast.per.token))
      .set('If-Match', `"${need.version}"`)
      .send({ location: 'Lima' });
    expect(edited.status).toBe(200);

    const read = await api.http.get(`/api/v1/needs/${need.id}`).set(auth(cast.per.token));
    expect(read.status).toBe(200);
    expect(read.body).toStrictEqual(edited.body);
    expect(read.headers.etag).toBe(`"${edited.body.version}"`);

    const list = await api.http.get('/api/v1/needs?state=PER').set(auth(cast.per.token));
    expect(list.status).toBe(200);
    expect(list.body.items).toStrictEqual([edited.body]);
  });

  it('is stored and sent in ASCII, every other character escaped, and reads back the same', async () => {
    // Cyrillic, Arabic, Chinese, Latin with accents, a typographic quote and an emoji (beyond
    // the Basic Multilingual Plane: a surrogate pair), around JSON's own escapes.
    const title = 'Маркировка оружия — وسم الأسلحة — 武器标识 — Sécurité «stocks» ’n 😀';
    const description = 'Line one\nLine "two" \\ tab\t end: ✓ 𝔸';
    const need = await createNeed(api, cast.per.token, { title, description });
    const [row] = (await db.query(`SELECT api_json FROM need WHERE id = $1`, [need.id])) as {
      api_json: string;
    }[];
    expect(row.api_json).toMatch(/^[\x20-\x7e]*$/);
    expect(row.api_json).toContain('\\u041c\\u0430');
    expect(row.api_json).toContain('\\ud83d\\ude00');
    expect(JSON.parse(row.api_json)).toMatchObject({ title, description });

    const read = await api.http.get(`/api/v1/needs/${need.id}`).set(auth(cast.per.token));
    expect(read.status).toBe(200);
    expect(read.text).toMatch(/^[\x20-\x7e]*$/);
    expect(read.body).toStrictEqual(need);
    const list = await api.http.get('/api/v1/needs?q=stocks').set(auth(cast.per.token));
    expect(list.status).toBe(200);
    expect(list.body.items).toStrictEqual([need]);
    expect(await expectAllRowsAgree()).toBeGreaterThan(0);
  });
});
