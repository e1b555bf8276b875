import { parse } from 'csv-parse/sync';
import { Cast, createCast, createNeed, publishNeed } from '../factories/needs.factory';
import { createActiveOffer, createOffer } from '../factories/offers.factory';
import { bootTestApi, TestApi } from '../utils/test-app';

describe('CSV exports', () => {
  let api: TestApi;
  let cast: Cast;
  const auth = (token: string) => ({ Authorization: `Bearer ${token}` });

  beforeAll(async () => {
    api = await bootTestApi({ env: { WRITE_RATE_LIMIT_PER_MIN: '100000' } });
    cast = await createCast(api);
    for (let i = 0; i < 5; i++) {
      const n = await createNeed(api, cast.sle.token, {
        title: i === 0 ? '=HYPERLINK("x") "quoted", title' : `Marking need ${i}`,
        description: 'Line one\nline two, with a comma',
        visibility: i % 2 ? 'donors' : 'public',
      });
      await publishNeed(api, cast, n);
    }
    await createNeed(api, cast.sle.token, { title: 'Draft of SLE' });
    await createNeed(api, cast.per.token, { title: 'Draft of PER', controlAreas: ['05.20'] });
  });
  afterAll(() => api.close());

  const exportCsv = async (path: string, token: string, query: Record<string, string> = {}) => {
    const res = await api.http
      .get(path)
      .query(query)
      .set(auth(token))
      .buffer(true)
      .parse((r, cb) => {
        let text = '';
        r.setEncoding('utf8');
        r.on('data', (d: string) => (text += d));
        r.on('end', () => cb(null, text));
      });
    return res;
  };
  const listAll = async (path: string, token: string, query: Record<string, string> = {}) => {
    const items: Record<string, unknown>[] = [];
    let cursor: string | null = null;
    do {
      const res: {
        status: number;
        body: { items: Record<string, unknown>[]; nextCursor: string | null };
      } = await api.http
        .get(path)
        .query({ ...query, limit: '2', ...(cursor ? { cursor } : {}) })
        .set(auth(token));
      expect(res.status).toBe(200);
      items.push(...res.body.items);
      cursor = res.body.nextCursor;
    } while (cursor);
    return items;
  };

  it.each([
    ['secretariat', {}],
    ['per', {}],
    ['donor', {}],
    ['sle', { controlArea: '05', sort: 'priority' }],
    ['secretariat', { q: 'marking', sort: 'relevance' }],
  ] as const)('needs CSV for %s %j equals the filtered list', async (who, query) => {
    const token = cast[who].token;
    const res = await exportCsv('/api/v1/needs/export.csv', token, query);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(res.headers['content-disposition']).toBe('attachment; filename="needs.csv"');
    const rows = parse(res.body as string, { columns: true }) as Record<string, string>[];
    const list = await listAll('/api/v1/needs', token, query);
    expect(rows.map((r) => r.id)).toEqual(list.map((n) => n.id));
    for (const [i, n] of list.entries()) {
      const title = n.title as string;
      expect(rows[i].title).toBe(/^[=+\-@]/.test(title) ? `'${title}` : title);
      expect(rows[i].description).toBe(n.description);
      expect(rows[i].status).toBe(n.status);
      expect(rows[i].costUsd).toBe(String(n.estimatedCostUsd));
      expect(rows[i].controlAreas).toBe((n.controlAreas as string[]).join(';'));
    }
  });

  it('respects visibility: drafts of other States never appear', async () => {
    const per = await exportCsv('/api/v1/needs/export.csv', cast.per.token);
    expect(per.body).not.toContain('Draft of SLE');
    expect(per.body).toContain('Draft of PER');
    const ngo = parse((await exportCsv('/api/v1/needs/export.csv', cast.ngo.token)).body, {
      columns: true,
    }) as Record<string, string>[];
    expect(ngo.every((r) => r.visibility === 'public' && r.status === 'published')).toBe(true);
    expect(ngo).toHaveLength(3);
  });

  it('refuses an unknown filter value with a JSON 400', async () => {
    const res = await api.http
      .get('/api/v1/needs/export.csv?region=Atlantis')
      .set(auth(cast.secretariat.token));
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('UNKNOWN_FILTER_VALUE');
  });

  it('exports offers and plans the same way', async () => {
    const active = await createActiveOffer(api, cast.donor.token, { title: 'Active offer' });
    await createOffer(api, cast.donor.token, { title: 'Draft offer' });
    const seen = parse((await exportCsv('/api/v1/offers/export.csv', cast.sle.token)).body, {
      columns: true,
    }) as Record<string, string>[];
    expect(seen.map((r) => r.id)).toEqual([active.id]);
    const own = await exportCsv('/api/v1/offers/export.csv', cast.donor.token, { sort: 'cost' });
    const list = await listAll('/api/v1/offers', cast.donor.token, { sort: 'cost' });
    expect(
      (parse(own.body, { columns: true }) as Record<string, string>[]).map((r) => r.id),
    ).toEqual(list.map((o) => o.id));
    const plans = await exportCsv('/api/v1/plans/export.csv', cast.secretariat.token);
    expect(plans.status).toBe(200);
    expect(plans.headers['content-disposition']).toBe('attachment; filename="plans.csv"');
    expect(plans.body.split('\r\n')[0]).toMatch(/^id,state,title,/);
  });
});
