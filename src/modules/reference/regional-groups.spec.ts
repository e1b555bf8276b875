import worldCountries from 'world-countries';
import countries from '../../database/reference/countries.generated.json';
import {
  MEMBERS_WITHOUT_GROUP,
  REGIONAL_GROUP_CODES,
  REGIONAL_GROUP_COUNTS,
  REGIONAL_GROUP_MEMBERS,
  REGIONAL_GROUPS,
  RegionalGroupCode,
  regionalGroupOf,
} from '../../database/reference/regional-groups';

const members = countries.filter((c) => c.memberStatus === 'member').map((c) => c.alpha3);
const observers = countries.filter((c) => c.memberStatus === 'observer').map((c) => c.alpha3);

describe('UN regional groups', () => {
  it('encodes the expected count for each group', () => {
    expect(REGIONAL_GROUP_COUNTS).toEqual({ AFRICAN: 54, APG: 53, EEG: 23, GRULAC: 33, WEOG: 29 });
    for (const group of REGIONAL_GROUP_CODES) {
      expect([group, REGIONAL_GROUP_MEMBERS[group].length]).toEqual([
        group,
        REGIONAL_GROUP_COUNTS[group],
      ]);
    }
  });

  it('counts 192 States: the 193 Member States minus Kiribati', () => {
    const total = REGIONAL_GROUP_CODES.reduce((sum, g) => sum + REGIONAL_GROUP_COUNTS[g], 0);
    expect(total).toBe(192);
    expect(Object.keys(REGIONAL_GROUPS)).toHaveLength(192);
  });

  it('puts every Member State except Kiribati in exactly one group', () => {
    expect(members).toHaveLength(193);
    const occurrences = new Map<string, RegionalGroupCode[]>();
    for (const group of REGIONAL_GROUP_CODES) {
      for (const alpha3 of REGIONAL_GROUP_MEMBERS[group]) {
        occurrences.set(alpha3, [...(occurrences.get(alpha3) ?? []), group]);
      }
    }
    const notOnce = members.filter(
      (a) => !MEMBERS_WITHOUT_GROUP.includes(a) && occurrences.get(a)?.length !== 1,
    );
    expect(notOnce).toEqual([]);
    expect(MEMBERS_WITHOUT_GROUP).toEqual(['KIR']);
    expect(occurrences.has('KIR')).toBe(false);
    // Nothing but Member States in the groups.
    expect([...occurrences.keys()].filter((a) => !members.includes(a))).toEqual([]);
  });

  it('gives the observer States no group', () => {
    expect(observers.sort()).toEqual(['PSE', 'VAT']);
    for (const alpha3 of observers) expect(regionalGroupOf(alpha3)).toBeNull();
  });

  it('applies the special cases (Israel, Türkiye, United States in WEOG; Kiribati none)', () => {
    expect(regionalGroupOf('ISR')).toBe('WEOG');
    expect(regionalGroupOf('TUR')).toBe('WEOG');
    expect(regionalGroupOf('USA')).toBe('WEOG');
    expect(regionalGroupOf('KIR')).toBeNull();
    expect(regionalGroupOf('fra')).toBe('WEOG');
  });

  it('agrees with the world-countries package everywhere except Kiribati', () => {
    const byName: Record<string, RegionalGroupCode> = {
      'African Group': 'AFRICAN',
      'Asia and the Pacific Group': 'APG',
      'Eastern European Group': 'EEG',
      'Latin American and Caribbean Group': 'GRULAC',
      'Western European and Others Group': 'WEOG',
    };
    const differences = worldCountries
      .filter((c) => c.unRegionalGroup !== '' || REGIONAL_GROUPS[c.cca3])
      .filter((c) => (byName[c.unRegionalGroup] ?? null) !== regionalGroupOf(c.cca3))
      .map((c) => c.cca3);
    expect(differences).toEqual(['KIR']);
  });
});
