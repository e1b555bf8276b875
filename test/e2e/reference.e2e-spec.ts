import { bootTestApi, TestApi } from '../utils/test-app';

interface CountryRow {
  alpha2: string;
  alpha3: string;
  m49: string;
  region: string;
  subRegion: string;
  intermediateRegion: string | null;
  group: string | null;
  names: Record<string, string>;
  name: string;
}

const LANGUAGES = ['ar', 'zh', 'en', 'fr', 'ru', 'es'];
const COUNTRY_FIELDS = [
  'alpha2',
  'alpha3',
  'm49',
  'region',
  'subRegion',
  'intermediateRegion',
  'group',
  'names',
  'name',
];

describe('reference data (e2e)', () => {
  let api: TestApi;

  beforeAll(async () => {
    api = await bootTestApi();
  });

  afterAll(async () => {
    await api?.close();
  });

  const countries = async (query: Record<string, string> = {}): Promise<CountryRow[]> => {
    const res = await api.http.get('/api/v1/countries').query(query).expect(200);
    expect(Object.keys(res.body)).toEqual(['items']);
    return res.body.items as CountryRow[];
  };

  it('lists the 195 States with the contract fields, anonymously and cacheably', async () => {
    const res = await api.http.get('/api/v1/countries').expect(200);
    expect(res.headers['cache-control']).toBe('public, max-age=3600');
    const items = res.body.items as CountryRow[];
    expect(items).toHaveLength(195);
    for (const row of items) {
      expect(Object.keys(row).sort()).toEqual([...COUNTRY_FIELDS].sort());
      expect(Object.keys(row.names).sort()).toEqual([...LANGUAGES].sort());
      for (const lang of LANGUAGES) expect(row.names[lang].trim()).not.toBe('');
      expect(row.name).toBe(row.names.en);
      expect(row.m49).toMatch(/^\d{3}$/);
    }
    const names = items.map((r) => r.name);
    expect(names).toEqual(
      [...names].sort((a, b) => a.localeCompare(b, 'en', { sensitivity: 'base' })),
    );
  });

  it('gives every State a regional group except Kiribati and the observers', async () => {
    const items = await countries();
    expect(
      items
        .filter((r) => r.group === null)
        .map((r) => r.alpha3)
        .sort(),
    ).toEqual(['KIR', 'PSE', 'VAT']);
    const counts: Record<string, number> = {};
    for (const row of items) if (row.group) counts[row.group] = (counts[row.group] ?? 0) + 1;
    expect(counts).toEqual({ AFRICAN: 54, APG: 53, EEG: 23, GRULAC: 33, WEOG: 29 });
    const byCode = new Map(items.map((r) => [r.alpha3, r]));
    expect(byCode.get('ISR')?.group).toBe('WEOG');
    expect(byCode.get('TUR')?.group).toBe('WEOG');
    expect(byCode.get('USA')?.group).toBe('WEOG');
  });

  it('filters by region at any M49 level, by name or code, and by group', async () => {
    const africa = await countries({ region: 'Africa' });
    expect(africa).toHaveLength(54);
    expect(africa.every((r) => r.region === 'Africa')).toBe(true);
    expect((await countries({ region: '002' })).map((r) => r.alpha3)).toEqual(
      africa.map((r) => r.alpha3),
    );

    const westernAfrica = await countries({ region: 'Western Africa' });
    expect(westernAfrica.length).toBeGreaterThan(10);
    expect(westernAfrica.every((r) => r.intermediateRegion === 'Western Africa')).toBe(true);
    expect(westernAfrica.map((r) => r.alpha3)).toContain('NGA');
    expect((await countries({ region: '011' })).map((r) => r.alpha3)).toEqual(
      westernAfrica.map((r) => r.alpha3),
    );

    const subSaharan = await countries({ region: 'sub-saharan africa' });
    expect(subSaharan.every((r) => r.subRegion === 'Sub-Saharan Africa')).toBe(true);

    const weog = await countries({ group: 'WEOG' });
    expect(weog).toHaveLength(29);
    expect(weog.every((r) => r.group === 'WEOG')).toBe(true);

    const both = await countries({ region: 'Asia', group: 'WEOG' });
    expect(both.map((r) => r.alpha3).sort()).toEqual(['ISR', 'TUR']);
  });

  it.each([
    ['region', 'Atlantis'],
    ['group', 'XYZ'],
    ['lang', 'de'],
  ])('answers 400 UNKNOWN_FILTER_VALUE for %s=%s', async (parameter, value) => {
    const res = await api.http
      .get('/api/v1/countries')
      .query({ [parameter]: value })
      .expect(400);
    expect(res.body).toMatchObject({ statusCode: 400, code: 'UNKNOWN_FILTER_VALUE' });
    expect(res.body.message).toContain(value);
    expect(res.body.details).toEqual([
      { field: parameter, messages: [expect.stringContaining(value)] },
    ]);
    expect(typeof res.body.requestId).toBe('string');
    expect(res.headers['cache-control']).not.toBe('public, max-age=3600');
  });

  it('refuses an unknown query parameter with 400', async () => {
    const res = await api.http.get('/api/v1/countries?foo=1').expect(400);
    expect(res.body).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED' });
    expect(res.body.details).toEqual([{ field: 'foo', messages: [expect.any(String)] }]);
  });

  it.each([
    '/taxonomy/areas',
    '/taxonomy/assistance-types',
    '/taxonomy/frameworks',
    '/taxonomy/regions',
  ])('refuses an unknown query parameter on %s', async (path) => {
    const res = await api.http.get(`/api/v1${path}?foo=1`).expect(400);
    expect(res.body).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED' });
  });

  it('names and sorts in the requested language', async () => {
    const items = await countries({ lang: 'fr' });
    expect(items).toHaveLength(195);
    const fra = items.find((r) => r.alpha3 === 'DEU')!;
    expect(fra.name).toBe('Allemagne');
    expect(items.every((r) => r.name === r.names.fr)).toBe(true);
    const names = items.map((r) => r.name);
    expect(names).toEqual(
      [...names].sort((a, b) => a.localeCompare(b, 'fr', { sensitivity: 'base' })),
    );
  });

  it.each(['FR', 'FRA', '250', 'fra'])('finds France by %s', async (code) => {
    const res = await api.http.get(`/api/v1/countries/${code}`).expect(200);
    expect(res.headers['cache-control']).toBe('public, max-age=3600');
    expect(res.body).toMatchObject({
      alpha2: 'FR',
      alpha3: 'FRA',
      m49: '250',
      region: 'Europe',
      subRegion: 'Western Europe',
      intermediateRegion: null,
      group: 'WEOG',
      name: 'France',
    });
  });

  it('answers one country in the requested language', async () => {
    const res = await api.http.get('/api/v1/countries/ESP?lang=es').expect(200);
    expect(res.body.name).toBe('España');
  });

  it('answers 404 with the error shape for an unknown country', async () => {
    const res = await api.http.get('/api/v1/countries/ZZZ').expect(404);
    expect(Object.keys(res.body).sort()).toEqual(['code', 'message', 'requestId', 'statusCode']);
    expect(res.body).toMatchObject({
      statusCode: 404,
      code: 'NOT_FOUND',
      message: 'Country not found',
    });
    expect(res.body.requestId).toEqual(expect.any(String));
    expect(res.body.requestId).not.toBe('');
    expect(res.headers['cache-control']).not.toBe('public, max-age=3600');
  });

  it('lists the control areas: 5 series, 22 modules, 3 platform areas', async () => {
    const res = await api.http.get('/api/v1/taxonomy/areas').expect(200);
    expect(res.headers['cache-control']).toBe('public, max-age=3600');
    const items = res.body.items as Array<{
      code: string;
      kind: string;
      series: string | null;
      title: string;
    }>;
    expect(items).toHaveLength(30);
    expect(items.filter((a) => a.kind === 'series')).toHaveLength(5);
    expect(items.filter((a) => a.kind === 'module')).toHaveLength(22);
    expect(items.filter((a) => a.kind === 'platform').map((a) => a.code)).toEqual([
      'AMMO',
      'BRK',
      'REP',
    ]);
    expect(items.find((a) => a.code === '05.30')).toEqual({
      code: '05.30',
      kind: 'module',
      series: '05',
      title: 'Marking and recordkeeping',
    });

    const series05 = await api.http.get('/api/v1/taxonomy/areas?series=05').expect(200);
    expect(series05.body.items).toHaveLength(8);
    expect(series05.body.items.every((a: { series: string }) => a.series === '05')).toBe(true);
    const unknown = await api.http.get('/api/v1/taxonomy/areas?series=99').expect(400);
    expect(unknown.body.code).toBe('UNKNOWN_FILTER_VALUE');
  });

  it('lists assistance types, frameworks, M49 areas and regional groups', async () => {
    const types = await api.http.get('/api/v1/taxonomy/assistance-types').expect(200);
    expect(types.body.items.map((t: { code: string }) => t.code)).toEqual([
      'legal',
      'institutional',
      'technical',
      'equipment',
      'financial',
      'training',
      'experts',
    ]);

    const frameworks = await api.http.get('/api/v1/taxonomy/frameworks').expect(200);
    expect(
      frameworks.body.items.map((f: { code: string; year: number }) => [f.code, f.year]),
    ).toEqual([
      ['PoA', 2001],
      ['ITI', 2005],
      ['ATT', 2013],
    ]);

    const regions = await api.http.get('/api/v1/taxonomy/regions').expect(200);
    expect(regions.headers['cache-control']).toBe('public, max-age=3600');
    expect(regions.body.items).toContainEqual({
      code: '011',
      name: 'Western Africa',
      level: 'intermediate_region',
      parentCode: '202',
    });
    expect(regions.body.items).toContainEqual({
      code: '002',
      name: 'Africa',
      level: 'region',
      parentCode: null,
    });
    expect(regions.body.items.filter((a: { level: string }) => a.level === 'region')).toHaveLength(
      5,
    );
    expect(regions.body.groups.map((g: { code: string }) => g.code)).toEqual([
      'AFRICAN',
      'APG',
      'EEG',
      'GRULAC',
      'WEOG',
    ]);
  });

  it('documents every reference route in /docs-json', async () => {
    const res = await api.http.get('/docs-json').expect(200);
    const paths = Object.keys(res.body.paths);
    for (const path of [
      '/api/v1/countries',
      '/api/v1/countries/{code}',
      '/api/v1/taxonomy/areas',
      '/api/v1/taxonomy/assistance-types',
      '/api/v1/taxonomy/frameworks',
      '/api/v1/taxonomy/regions',
    ]) {
      expect(paths).toContain(path);
    }
    const schemas = res.body.components.schemas;
    expect(Object.keys(schemas.CountryDto.properties).sort()).toEqual([...COUNTRY_FIELDS].sort());
  });
});
