import { DataSource } from 'typeorm';
import { PREFIX_SEARCH_ROWS } from '../../src/modules/search/list-search';
import { Cast, createCast, createNeed, publishNeed } from '../factories/needs.factory';
import { createActiveOffer } from '../factories/offers.factory';
import { bootTestApi, TestApi } from '../utils/test-app';

describe('search and list filters', () => {
  let api: TestApi;
  let cast: Cast;
  const auth = (token: string) => ({ Authorization: `Bearer ${token}` });
  const ids: Record<string, string> = {};

  const list = async (
    path: string,
    query: Record<string, string>,
    token = cast.secretariat.token,
  ) => {
    const res = await api.http.get(path).query(query).set(auth(token));
    if (res.status !== 200) throw new Error(`${path} ${res.status}: ${JSON.stringify(res.body)}`);
    return res.body as { items: { id: string }[]; nextCursor: string | null };
  };
  const needIds = async (query: Record<string, string>, token?: string) =>
    (await list('/api/v1/needs', { limit: '200', ...query }, token)).items.map((n) => n.id);

  beforeAll(async () => {
    api = await bootTestApi({ env: { WRITE_RATE_LIMIT_PER_MIN: '100000' } });
    cast = await createCast(api);
    const fr = await createNeed(api, cast.sle.token, {
      title: 'Marquage des armes de la police nationale',
      description: 'Deux machines de marquage et la formation de six armuriers.',
      language: 'fr',
      controlAreas: ['05.30'],
      priority: 'low',
      estimatedCost: { amount: 50000, currency: 'USD' },
    });
    ids.fr = (await publishNeed(api, cast, fr)).id;
    const stock = await createNeed(api, cast.per.token, {
      title: 'Stockpile management training',
      description: 'Physical security and stockpile management of ammunition depots.',
      controlAreas: ['05.20'],
      priority: 'high',
      estimatedCost: { amount: 900000, currency: 'USD' },
    });
    ids.stock = (await publishNeed(api, cast, stock, cast.per.token)).id;
    const machines = await createNeed(api, cast.per.token, {
      title: 'Marking machines for the customs service',
      description: 'Dot-peen machines.',
      controlAreas: ['05.30'],
      priority: 'medium',
      estimatedCost: { amount: 300000, currency: 'USD' },
    });
    ids.machines = (await publishNeed(api, cast, machines, cast.per.token)).id;
    ids.draft = (await createNeed(api, cast.sle.token, { title: 'Marquage brouillon' })).id;
  });
  afterAll(() => api.close());

  it('a French query finds the French need, and not an unrelated English one', async () => {
    const found = await needIds({ q: 'marquage' });
    expect(found).toContain(ids.fr);
    expect(found).not.toContain(ids.stock);
    expect(found).not.toContain(ids.machines);
    // Inflected forms are stemmed in French.
    expect(await needIds({ q: 'armes' })).toContain(ids.fr);
  });

  it('a misspelt title is found through trigram similarity', async () => {
    expect(await needIds({ q: 'stockpil' })).toEqual([ids.stock]);
    expect(await needIds({ q: 'machnes' })).toContain(ids.machines);
    expect(await needIds({ q: 'managment' })).toContain(ids.stock);
  });

  it('sorts by relevance only with q, and ranks the closer match first', async () => {
    const bad = await api.http
      .get('/api/v1/needs?sort=relevance')
      .set(auth(cast.secretariat.token));
    expect(bad.status).toBe(400);
    const ranked = await needIds({ q: 'marking machines', sort: 'relevance' });
    expect(ranked[0]).toBe(ids.machines);
  });

  it('visibility holds inside the search', async () => {
    // The draft is the SLE's own: PER does not see it, the secretariat does.
    expect(await needIds({ q: 'brouillon' }, cast.per.token)).toEqual([]);
    expect(await needIds({ q: 'brouillon' })).toEqual([ids.draft]);
  });

  it('a series matches its modules; region and group filters select States', async () => {
    const series = await needIds({ controlArea: '05' });
    expect(series).toEqual(expect.arrayContaining([ids.fr, ids.stock, ids.machines]));
    expect(await needIds({ controlArea: '05.20' })).toEqual([ids.stock]);
    const africa = await needIds({ region: 'Africa' });
    expect(africa).toEqual(expect.arrayContaining([ids.fr, ids.draft]));
    expect(africa).not.toContain(ids.stock);
    expect(await needIds({ region: '011' })).toEqual(expect.arrayContaining([ids.fr]));
    const grulac = await needIds({ group: 'grulac' });
    expect(grulac.sort()).toEqual([ids.stock, ids.machines].sort());
    for (const [param, value] of [
      ['region', 'Atlantis'],
      ['group', 'NOPE'],
      ['controlArea', '99.99'],
      ['assistanceType', 'magic'],
      ['framework', 'XYZ'],
    ]) {
      const res = await api.http
        .get('/api/v1/needs')
        .query({ [param]: value })
        .set(auth(cast.secretariat.token));
      expect({ param, status: res.status, code: res.body.code }).toEqual({
        param,
        status: 400,
        code: 'UNKNOWN_FILTER_VALUE',
      });
    }
  });

  it('sorts by priority, cost and date', async () => {
    const published = [ids.fr, ids.stock, ids.machines];
    const only = (rows: string[]) => rows.filter((id) => published.includes(id));
    expect(only(await needIds({ sort: 'priority' }))).toEqual([ids.stock, ids.machines, ids.fr]);
    expect(only(await needIds({ sort: 'cost' }))).toEqual([ids.stock, ids.machines, ids.fr]);
    expect(only(await needIds({ sort: 'date' }))).toEqual([ids.machines, ids.stock, ids.fr]);
    expect(only(await needIds({ minCost: '100000', maxCost: '500000' }))).toEqual([ids.machines]);
  });

  it.each(['date', 'priority', 'cost', 'relevance'])(
    'sort=%s pages never skip or repeat rows while others are inserted',
    async (sort) => {
      const tag = `pager${sort}`;
      const before: string[] = [];
      for (let i = 0; i < 9; i++) {
        const n = await createNeed(api, cast.sle.token, {
          title: `Pager ${tag} ${i}`,
          priority: ['high', 'medium', 'low'][i % 3],
          estimatedCost: { amount: 1000 * ((i % 4) + 1), currency: 'USD' },
        });
        before.push(n.id);
      }
      const query = { q: tag, sort, limit: '2' };
      const seen: string[] = [];
      let cursor: string | null = null;
      let inserted = 0;
      do {
        const page = await list('/api/v1/needs', { ...query, ...(cursor ? { cursor } : {}) });
        seen.push(...page.items.map((n) => n.id));
        cursor = page.nextCursor;
        // Insert rows matching the same query while paging, with every sort key value.
        await createNeed(api, cast.sle.token, {
          title: `Pager ${tag} late ${inserted}`,
          priority: ['high', 'medium', 'low'][inserted % 3],
          estimatedCost: { amount: 1000 * ((inserted % 4) + 1), currency: 'USD' },
        });
        inserted += 1;
      } while (cursor);
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen).toEqual(expect.arrayContaining(before));
    },
  );

  it('a text search paged in small pages returns the rows of one big page, in every order', async () => {
    // Small pages are answered from the first rows of the key order when they fill the page,
    // the last page (too few matches left) by the full-text index: both must agree exactly.
    const costs = [120000, 80000, 120000, 640000, 15000];
    for (const [i, amount] of costs.entries()) {
      await createNeed(api, cast.per.token, {
        title: `Armoury lighting ${i}`,
        description: 'Lighting and alarms for the armoury.',
        priority: (['high', 'low', 'medium'] as const)[i % 3],
        estimatedCost: { amount, currency: 'USD' },
      });
    }
    for (const sort of ['date', 'priority', 'cost', 'createdAt']) {
      const whole = await needIds({ q: 'armoury alarms', sort });
      expect(whole).toHaveLength(costs.length);
      const paged: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await list('/api/v1/needs', {
          q: 'armoury alarms',
          sort,
          limit: '2',
          ...(cursor ? { cursor } : {}),
        });
        expect(page.items.length).toBeLessThanOrEqual(2);
        paged.push(...page.items.map((n) => n.id));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      expect(paged).toEqual(whole);
    }
    // Visibility holds on both paths: the drafts are PER's own, hidden from another State.
    expect(await needIds({ q: 'armoury alarms', limit: '2' }, cast.sle.token)).toEqual([]);
  });

  it('a cursor of another sort is refused', async () => {
    const page = await list('/api/v1/needs', { limit: '1' });
    const res = await api.http
      .get('/api/v1/needs')
      .query({ sort: 'cost', cursor: page.nextCursor! })
      .set(auth(cast.secretariat.token));
    expect(res.status).toBe(400);
  });

  it('offers and plans take the same search and filters', async () => {
    const offer = await createActiveOffer(api, cast.donor.token, {
      title: 'Stockpile security experts',
      eligibility: { groups: ['AFRICAN'] },
      budget: { total: 250000, currency: 'USD' },
    });
    const offers = async (q: Record<string, string>) =>
      (await list('/api/v1/offers', q)).items.map((o) => o.id);
    expect(await offers({ q: 'stockpile' })).toContain(offer.id);
    expect(await offers({ q: 'stockpil' })).toContain(offer.id);
    expect(await offers({ region: 'Africa' })).toContain(offer.id);
    expect(await offers({ group: 'GRULAC' })).not.toContain(offer.id);
    expect(await offers({ minCost: '300000' })).not.toContain(offer.id);
    expect(await offers({ sort: 'cost', controlArea: '05' })).toContain(offer.id);

    const plan = await api.http
      .post('/api/v1/plans')
      .set(auth(cast.sle.token))
      .send({
        title: 'Plan national de lutte contre les armes légères',
        periodStart: '2025-01-01',
        periodEnd: '2029-12-31',
        coordinatingBody: 'Commission nationale',
        items: [{ title: 'Marquage', rank: 1, controlAreas: ['05.30'] }],
      });
    expect(plan.status).toBe(201);
    const plans = async (q: Record<string, string>) =>
      (await list('/api/v1/plans', q)).items.map((p) => p.id);
    expect(await plans({ q: 'commission' })).toEqual([plan.body.id]);
    expect(await plans({ controlArea: '05' })).toEqual([plan.body.id]);
    expect(await plans({ controlArea: '05.20' })).toEqual([]);
    expect(await plans({ region: 'Africa', from: '2028-01-01' })).toEqual([plan.body.id]);
    expect(await plans({ group: 'WEOG' })).toEqual([]);
  });

  it('finds a word only an old need has, behind more than the searched prefix of newer ones', async () => {
    // A search in a key order first looks through the first PREFIX_SEARCH_ROWS rows of the
    // list; a page they cannot fill goes to the full-text index, which must find the rest.
    const old = await createNeed(api, cast.per.token, {
      title: 'Kalashnikov registry of the national police',
      description: 'Registering seized rifles.',
      priority: 'low',
      estimatedCost: { amount: 20000, currency: 'USD' },
    });
    const db = api.app.get(DataSource);
    await db.query(
      `INSERT INTO need (party_id, country_code, title, description, language, control_areas,
                         assistance_types, frameworks, priority, estimated_amount,
                         estimated_currency, estimated_usd, usd_rate, rate_date, needed_by,
                         visibility, status)
       SELECT party_id, country_code, 'Filler need ' || g, 'Newer rows before the old one.',
              language, control_areas, assistance_types, frameworks, priority, estimated_amount,
              estimated_currency, estimated_usd, usd_rate, rate_date, needed_by, visibility,
              status
         FROM need, generate_series(1, $2::int) g WHERE id = $1`,
      [old.id, PREFIX_SEARCH_ROWS + 50],
    );
    for (const sort of ['date', 'priority', 'cost']) {
      expect(await needIds({ q: 'kalashnikov', sort, limit: '2' })).toEqual([old.id]);
      // A frequent word fills its page from the prefix: the newest fillers, in order.
      const page = await list('/api/v1/needs', { q: 'filler', sort, limit: '3' });
      expect(page.items).toHaveLength(3);
      expect(page.nextCursor).not.toBeNull();
    }
  });
});
