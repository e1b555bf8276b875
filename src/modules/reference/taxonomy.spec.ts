import { ASSISTANCE_TYPES, CONTROL_AREAS, FRAMEWORKS } from '../../database/reference/taxonomy';

const unique = (values: readonly unknown[]) => new Set(values).size === values.length;

describe('taxonomy', () => {
  it('has 5 MOSAIC series, 22 modules and 3 platform areas with unique codes and sort orders', () => {
    expect(CONTROL_AREAS.filter((a) => a.kind === 'series').map((a) => a.code)).toEqual([
      '02',
      '03',
      '04',
      '05',
      '06',
    ]);
    expect(CONTROL_AREAS.filter((a) => a.kind === 'module')).toHaveLength(22);
    expect(CONTROL_AREAS.filter((a) => a.kind === 'platform').map((a) => a.code)).toEqual([
      'AMMO',
      'BRK',
      'REP',
    ]);
    expect(CONTROL_AREAS).toHaveLength(30);
    expect(unique(CONTROL_AREAS.map((a) => a.code))).toBe(true);
    expect(unique(CONTROL_AREAS.map((a) => a.sortOrder))).toBe(true);
  });

  it("gives every module an existing series matching its code's prefix, and nothing else a series", () => {
    const series = new Set(CONTROL_AREAS.filter((a) => a.kind === 'series').map((a) => a.code));
    for (const area of CONTROL_AREAS) {
      if (area.kind === 'module') {
        expect(area.code).toMatch(/^\d{2}\.\d{2}$/);
        expect(series.has(area.series!)).toBe(true);
        expect(area.code.startsWith(`${area.series}.`)).toBe(true);
      } else {
        expect(area.series).toBeNull();
      }
      expect(area.title.trim()).not.toBe('');
    }
  });

  it('keeps the titles of TAXONOMY.md', () => {
    const title = (code: string) => CONTROL_AREAS.find((a) => a.code === code)?.title;
    expect(title('05.30')).toBe('Marking and recordkeeping');
    expect(title('03.21')).toBe(
      'National controls over the end-user and end-use of internationally transferred SALW',
    );
    expect(title('02')).toBe('SALW control in context');
  });

  it('has the 7 assistance types and the 3 frameworks with unique codes', () => {
    expect(ASSISTANCE_TYPES.map((t) => t.code)).toEqual([
      'legal',
      'institutional',
      'technical',
      'equipment',
      'financial',
      'training',
      'experts',
    ]);
    expect(FRAMEWORKS.map((f) => [f.code, f.year])).toEqual([
      ['PoA', 2001],
      ['ITI', 2005],
      ['ATT', 2013],
    ]);
    expect(unique(ASSISTANCE_TYPES.map((t) => t.sortOrder))).toBe(true);
    expect(unique(FRAMEWORKS.map((f) => f.sortOrder))).toBe(true);
  });
});
