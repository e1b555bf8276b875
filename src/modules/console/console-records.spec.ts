import { conflictView, recordListQuery } from './console-records';
import type { Labels } from './console-reference';

describe('conflict page data', () => {
  const titles: Record<string, string> = { '001': 'World', '002': 'Africa', SL: 'Sierra Leone' };
  const of = (codes: readonly string[] | null | undefined) =>
    (codes ?? []).map((c) => titles[c] ?? c);
  const labels = {
    areas: of,
    types: of,
    frameworks: of,
    regions: of,
    groups: of,
    countries: of,
    country: (c: string) => titles[c] ?? c,
  } as unknown as Labels;

  it('puts the stored value beside the submitted one, titles code lists and keeps my values', () => {
    const view = conflictView(
      {
        kind: 'offer',
        id: 'o1',
        title: 'Marking kits',
        currentVersion: 3,
        yourVersion: 2,
        fields: ['title', 'eligibility.regions', 'eligibility.countries'],
        theirs: {
          title: 'Marking kits',
          'eligibility.regions': ['002'],
          'eligibility.countries': [],
        },
        mine: {
          title: 'Marking kits',
          'eligibility.regions': ['001'],
          'eligibility.countries': ['SL'],
        },
        codeLists: { 'eligibility.regions': 'regions', 'eligibility.countries': 'countries' },
      },
      labels,
    );
    expect(view.recordHref).toBe('/app/offers/o1');
    expect(view.action).toBe('/app/offers/o1');
    expect(view.rows).toEqual([
      {
        field: 'title',
        labelKey: 'offer.field.title',
        theirs: 'Marking kits',
        mine: 'Marking kits',
        differs: false,
      },
      {
        field: 'eligibility.regions',
        labelKey: 'offer.field.eligibility.regions',
        theirs: 'Africa',
        mine: 'World',
        differs: true,
      },
      {
        field: 'eligibility.countries',
        labelKey: 'offer.field.eligibility.countries',
        theirs: '',
        mine: 'Sierra Leone',
        differs: true,
      },
    ]);
    expect(view.hidden).toEqual([
      { name: 'title', value: 'Marking kits' },
      { name: 'eligibility.regions', value: '001' },
      { name: 'eligibility.countries', value: 'SL' },
    ]);
  });

  it("reads a list page's filters: known statuses only, trimmed, the first of repeated ones", () => {
    expect(
      recordListQuery({ q: '  marking ', status: 'published', cursor: 'abc', mine: '0' }, [
        'draft',
        'published',
      ] as const),
    ).toEqual({
      filters: { q: 'marking', status: 'published', cursor: 'abc', mine: '0' },
      query: { limit: 25, q: 'marking', status: 'published', cursor: 'abc' },
    });
    expect(recordListQuery({ status: ['nonsense', 'draft'], q: '' }, ['draft'] as const)).toEqual({
      filters: { status: 'nonsense' },
      query: { limit: 25 },
    });
  });
});
