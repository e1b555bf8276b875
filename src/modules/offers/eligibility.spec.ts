import type { Country } from '../reference/country.entity';
import { ReferenceCatalog } from '../reference/reference.service';
import { isEligible, resolveEligibility } from './eligibility';

const country = (c: Partial<Country>): Country =>
  ({
    alpha2: c.alpha3!.slice(0, 2),
    m49: '000',
    region: '',
    subRegion: '',
    intermediateRegion: null,
    regionCode: '002',
    subRegionCode: '202',
    intermediateRegionCode: null,
    regionalGroup: null,
    memberStatus: 'member',
    names: { ar: '', zh: '', en: '', fr: '', ru: '', es: '' },
    ...c,
  }) as Country;

const SLE = country({
  alpha3: 'SLE',
  alpha2: 'SL',
  m49: '694',
  intermediateRegionCode: '011',
  regionalGroup: 'AFRICAN',
  names: { ar: '', zh: '', en: 'Sierra Leone', fr: '', ru: '', es: '' },
});
const PER = country({
  alpha3: 'PER',
  alpha2: 'PE',
  m49: '604',
  regionCode: '019',
  subRegionCode: '419',
  intermediateRegionCode: '005',
  regionalGroup: 'GRULAC',
  names: { ar: '', zh: '', en: 'Peru', fr: '', ru: '', es: '' },
});
const KIR = country({ alpha3: 'KIR', alpha2: 'KI', m49: '296', regionCode: '009' });

const catalog = new ReferenceCatalog({
  countries: [SLE, PER, KIR],
  m49Areas: [
    { code: '002', name: 'Africa', level: 'region', parentCode: null },
    { code: '011', name: 'Western Africa', level: 'intermediate_region', parentCode: '202' },
    { code: '005', name: 'South America', level: 'intermediate_region', parentCode: '419' },
  ] as never,
  regionalGroups: [{ code: 'AFRICAN' }, { code: 'GRULAC' }] as never,
  controlAreas: [],
  assistanceTypes: [],
  frameworks: [],
});

const none = { regions: [], groups: [], countries: [], excludeCountries: [] };

describe('offer eligibility', () => {
  it('stores canonical codes and reports unknown values per field', () => {
    expect(
      resolveEligibility(catalog, {
        regions: ['western africa', '005', 'Atlantis'],
        groups: ['grulac', 'NORDIC'],
        countries: ['sl', 'Peru', '296', 'PER', 'Narnia'],
        excludeCountries: ['Oz', 'Oz'],
      }),
    ).toEqual({
      eligibility: {
        regions: ['011', '005'],
        groups: ['GRULAC'],
        countries: ['SLE', 'PER', 'KIR'],
        excludeCountries: [],
      },
      unknown: {
        regions: ['Atlantis'],
        groups: ['NORDIC'],
        countries: ['Narnia'],
        excludeCountries: ['Oz'],
      },
    });
  });

  it('decides eligibility: nothing named = every State; region, group or country; exclusions win', () => {
    expect(isEligible(none, KIR)).toBe(true);
    expect(isEligible({ ...none, excludeCountries: ['KIR'] }, KIR)).toBe(false);
    expect(isEligible({ ...none, regions: ['011'] }, SLE)).toBe(true);
    expect(isEligible({ ...none, regions: ['011'] }, PER)).toBe(false);
    expect(isEligible({ ...none, regions: ['002'] }, SLE)).toBe(true);
    expect(isEligible({ ...none, groups: ['GRULAC'] }, PER)).toBe(true);
    expect(isEligible({ ...none, groups: ['GRULAC'] }, KIR)).toBe(false);
    expect(isEligible({ ...none, countries: ['KIR'] }, KIR)).toBe(true);
    expect(isEligible({ ...none, regions: ['002'], excludeCountries: ['SLE'] }, SLE)).toBe(false);
  });
});
