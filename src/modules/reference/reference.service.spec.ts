import countries from '../../database/reference/countries.generated.json';
import {
  REGIONAL_GROUP_CODES,
  REGIONAL_GROUP_NAMES,
  regionalGroupOf,
} from '../../database/reference/regional-groups';
import { ASSISTANCE_TYPES, CONTROL_AREAS, FRAMEWORKS } from '../../database/reference/taxonomy';
import { AppException } from '../../common/errors';
import { Country } from './country.entity';
import { M49Area } from './m49-area.entity';
import { ReferenceCatalog, ReferenceService } from './reference.service';

/** The catalogue as the migration fills the tables, without a database. */
function catalogFromFiles(): ReferenceCatalog {
  const areas = new Map<string, M49Area>();
  for (const c of countries) {
    areas.set(c.regionCode, {
      code: c.regionCode,
      name: c.region,
      level: 'region',
      parentCode: null,
    });
    areas.set(c.subRegionCode, {
      code: c.subRegionCode,
      name: c.subRegion,
      level: 'sub_region',
      parentCode: c.regionCode,
    });
    if (c.intermediateRegionCode && c.intermediateRegion) {
      areas.set(c.intermediateRegionCode, {
        code: c.intermediateRegionCode,
        name: c.intermediateRegion,
        level: 'intermediate_region',
        parentCode: c.subRegionCode,
      });
    }
  }
  return new ReferenceCatalog({
    countries: countries.map(
      (c) =>
        ({
          ...c,
          memberStatus: c.memberStatus as Country['memberStatus'],
          regionalGroup: c.memberStatus === 'member' ? regionalGroupOf(c.alpha3) : null,
        }) as Country,
    ),
    m49Areas: [...areas.values()],
    regionalGroups: REGIONAL_GROUP_CODES.map((code) => ({
      code,
      name: REGIONAL_GROUP_NAMES[code],
    })),
    controlAreas: CONTROL_AREAS.map((a) => ({ ...a })),
    assistanceTypes: ASSISTANCE_TYPES.map((t) => ({ ...t })),
    frameworks: FRAMEWORKS.map((f) => ({ ...f })),
  });
}

describe('ReferenceCatalog', () => {
  const catalog = catalogFromFiles();

  it('finds a country by alpha-2, alpha-3 or M49 code in any case', () => {
    expect(catalog.findCountry('FR')?.alpha3).toBe('FRA');
    expect(catalog.findCountry('fra')?.alpha3).toBe('FRA');
    expect(catalog.findCountry('250')?.alpha3).toBe('FRA');
    expect(catalog.findCountry('ZZZ')).toBeUndefined();
  });

  it('resolves regions of every level by name (any case) or code', () => {
    expect(catalog.resolveRegion('Africa')?.code).toBe('002');
    expect(catalog.resolveRegion('sub-saharan africa')?.code).toBe('202');
    expect(catalog.resolveRegion('011')?.name).toBe('Western Africa');
    expect(catalog.resolveRegion('Atlantis')).toBeUndefined();
    expect(catalog.resolveRegion('001')).toBeUndefined();
    expect(catalog.resolveRegionCodes(['Caribbean', '029', 'nowhere'])).toEqual(['029']);
  });

  it('filters countries by region and group', () => {
    const westernAfrica = catalog.filterCountries({ region: 'Western Africa' })!;
    expect(westernAfrica.map((c) => c.alpha3)).toContain('NGA');
    expect(westernAfrica.every((c) => c.intermediateRegionCode === '011')).toBe(true);
    expect(catalog.filterCountries({ region: '002' })).toHaveLength(54);
    expect(catalog.filterCountries({ group: 'weog' })).toHaveLength(29);
    expect(
      catalog.filterCountries({ region: 'Asia', group: 'WEOG' })!.map((c) => c.alpha3),
    ).toEqual(['ISR', 'TUR']);
    expect(catalog.filterCountries({ group: 'XYZ' })).toBeUndefined();
  });

  it('reports unknown codes of each kind', () => {
    expect(catalog.unknownCodes('area', ['05', '05.30', 'AMMO', '07', '5.30'])).toEqual([
      '07',
      '5.30',
    ]);
    expect(catalog.unknownCodes('assistanceType', ['legal', 'Legal', 'cash'])).toEqual([
      'Legal',
      'cash',
    ]);
    expect(catalog.unknownCodes('framework', ['PoA', 'ATT', 'CCW'])).toEqual(['CCW']);
    expect(catalog.unknownCodes('country', ['FRA', 'fr', '250', 'ZZZ', 'ZZZ'])).toEqual(['ZZZ']);
    expect(catalog.unknownCodes('region', ['Europe', '155', 'Atlantis'])).toEqual(['Atlantis']);
    expect(catalog.unknownCodes('group', ['GRULAC', 'apg', 'NAM'])).toEqual(['NAM']);
    expect(catalog.canonicalCode('country', 'fr')).toBe('FRA');
    expect(catalog.canonicalCode('region', 'western africa')).toBe('011');
  });

  it('expands a series into itself and its modules', () => {
    expect(catalog.expandControlArea('04')).toEqual(['04', '04.10', '04.30']);
    expect(catalog.expandControlArea('05')).toHaveLength(9);
    expect(catalog.expandControlArea('05.30')).toEqual(['05.30']);
    expect(catalog.expandControlArea('AMMO')).toEqual(['AMMO']);
    expect(catalog.expandControlArea('99')).toEqual([]);
    expect(catalog.expandControlAreas(['04', '04.10', 'BRK'])).toEqual([
      '04',
      '04.10',
      '04.30',
      'BRK',
    ]);
  });
});

describe('ReferenceService', () => {
  function serviceWith(rows: Record<string, unknown[]>) {
    const repo = (name: string) => ({ find: jest.fn(async () => rows[name] ?? []) });
    const repos = [
      'countries',
      'areas',
      'groups',
      'controlAreas',
      'assistanceTypes',
      'frameworks',
    ].map(repo);
    const service = new (ReferenceService as any)(...repos) as ReferenceService;
    return { service, repos };
  }

  it('reads the tables once and answers later calls from memory', async () => {
    const { service, repos } = serviceWith({
      groups: [{ code: 'APG', name: 'Asia-Pacific Group' }],
    });
    await Promise.all([
      service.unknownCodes('group', ['APG']),
      service.unknownCodes('group', ['X']),
    ]);
    expect(await service.unknownCodes('group', ['APG', 'X'])).toEqual(['X']);
    for (const r of repos) expect(r.find).toHaveBeenCalledTimes(1);
  });

  it('answers UNKNOWN_FILTER_VALUE naming the parameter', async () => {
    const { service } = serviceWith({});
    const error = await service.listCountries({ region: 'Atlantis' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppException);
    expect(error).toMatchObject({
      code: 'UNKNOWN_FILTER_VALUE',
      status: 400,
      details: [{ field: 'region' }],
    });
  });

  it('names a country in the requested language', () => {
    const { service } = serviceWith({});
    const row = {
      names: { ar: 'فرنسا', zh: '法国', en: 'France', fr: 'France', ru: 'Франция', es: 'Francia' },
    };
    expect(service.countryName(row, 'es')).toBe('Francia');
    expect(service.countryName(row)).toBe('France');
  });
});
