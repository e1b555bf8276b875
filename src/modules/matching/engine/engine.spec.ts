import { checkEligibility, stateEligible, windowsOverlap } from './eligibility';
import { explain, Glossary } from './explain';
import {
  areaCoverage,
  areaMatch,
  areaPrecision,
  areasComponent,
  budgetComponent,
  engagementComponent,
  languageComponent,
  priorityComponent,
  scorePair,
  seriesOf,
  timingComponent,
  typesComponent,
} from './score';
import { newStemmer } from 'snowball-stemmers';
import { ara, eng, fra, removeStopwords, rus, spa } from 'stopword';
import { terms, textRelevance } from './text';
import { DEFAULT_WEIGHTS, NeedFacts, OfferFacts } from './types';

const need = (over: Partial<NeedFacts> = {}): NeedFacts => ({
  id: 'n1',
  partyId: 'gha',
  status: 'published',
  state: 'GHA',
  stateRegions: ['002', '202', '011'],
  stateGroup: 'AFRICAN',
  stateSubRegion: '202',
  language: 'en',
  controlAreas: ['05.30'],
  assistanceTypes: ['equipment', 'training'],
  priority: 'high',
  planRank: null,
  uncoveredUsd: 120_000,
  earliestStart: '2027-01-01',
  neededBy: '2027-12-31',
  title: 'Marking machines',
  description: 'Marking and recordkeeping of police weapons',
  ...over,
});

const offer = (over: Partial<OfferFacts> = {}): OfferFacts => ({
  id: 'o1',
  partyId: 'deu',
  status: 'active',
  controlAreas: ['05.30', '05.31'],
  assistanceTypes: ['equipment'],
  eligibility: { regions: ['011'], groups: [], countries: [], excludeCountries: [] },
  minPerProjectUsd: 50_000,
  maxPerProjectUsd: 250_000,
  remainingUsd: 1_000_000,
  startDate: '2026-07-01',
  endDate: '2027-06-30',
  languages: ['en', 'fr'],
  title: 'Weapons marking support',
  description: 'Marking equipment and training for recordkeeping',
  ...over,
});

describe('eligibility rules', () => {
  it('passes every rule for a fitting pair', () => {
    expect(checkEligibility(need(), offer())).toEqual({
      eligible: true,
      passed: [
        'need_open',
        'offer_active',
        'state_eligible',
        'assistance_type_shared',
        'windows_overlap',
        'above_offer_minimum',
        'envelope_left',
      ],
      failed: [],
      partial: false,
    });
  });

  it.each([
    ['need_open', need({ status: 'draft' }), offer()],
    ['need_open', need({ status: 'covered' }), offer()],
    ['offer_active', need(), offer({ status: 'paused' })],
    [
      'state_eligible',
      need(),
      offer({ eligibility: { regions: ['005'], groups: [], countries: [], excludeCountries: [] } }),
    ],
    ['assistance_type_shared', need({ assistanceTypes: ['legal'] }), offer()],
    ['windows_overlap', need({ earliestStart: '2027-07-01' }), offer()],
    ['above_offer_minimum', need({ uncoveredUsd: 49_999 }), offer()],
    ['envelope_left', need(), offer({ remainingUsd: 0 })],
  ])('fails %s alone', (rule, n, o) => {
    const result = checkEligibility(n, o);
    expect(result.eligible).toBe(false);
    expect(result.failed).toEqual([rule]);
  });

  it('State eligibility: regions at any level, groups, countries, exclusions, or open to all', () => {
    const open = { regions: [], groups: [], countries: [], excludeCountries: [] };
    expect(stateEligible(need(), { eligibility: open })).toBe(true);
    expect(stateEligible(need(), { eligibility: { ...open, regions: ['002'] } })).toBe(true);
    expect(stateEligible(need(), { eligibility: { ...open, groups: ['AFRICAN'] } })).toBe(true);
    expect(stateEligible(need(), { eligibility: { ...open, groups: ['GRULAC'] } })).toBe(false);
    expect(stateEligible(need(), { eligibility: { ...open, countries: ['GHA'] } })).toBe(true);
    expect(
      stateEligible(need(), {
        eligibility: { ...open, regions: ['002'], excludeCountries: ['GHA'] },
      }),
    ).toBe(false);
    expect(stateEligible(need(), { eligibility: { ...open, excludeCountries: ['GHA'] } })).toBe(
      false,
    );
    expect(
      stateEligible(need({ stateGroup: null }), { eligibility: { ...open, groups: ['AFRICAN'] } }),
    ).toBe(false);
  });

  it('windows overlap inclusively; no earliest start means open from the start', () => {
    expect(
      windowsOverlap(
        { earliestStart: '2027-06-30', neededBy: '2027-12-31' },
        { startDate: '2026-01-01', endDate: '2027-06-30' },
      ),
    ).toBe(true);
    expect(
      windowsOverlap(
        { earliestStart: '2027-07-01', neededBy: '2027-12-31' },
        { startDate: '2026-01-01', endDate: '2027-06-30' },
      ),
    ).toBe(false);
    expect(
      windowsOverlap(
        { earliestStart: null, neededBy: '2026-01-01' },
        { startDate: '2026-01-01', endDate: '2026-01-02' },
      ),
    ).toBe(true);
    expect(
      windowsOverlap(
        { earliestStart: null, neededBy: '2025-12-31' },
        { startDate: '2026-01-01', endDate: '2026-01-02' },
      ),
    ).toBe(false);
  });

  it('above the per-project maximum or the envelope still matches, flagged partial', () => {
    expect(checkEligibility(need({ uncoveredUsd: 400_000 }), offer()).partial).toBe(true);
    expect(
      checkEligibility(
        need({ uncoveredUsd: 400_000 }),
        offer({ maxPerProjectUsd: null, remainingUsd: 300_000 }),
      ).partial,
    ).toBe(true);
    expect(
      checkEligibility(need({ uncoveredUsd: 400_000 }), offer({ maxPerProjectUsd: null })).partial,
    ).toBe(false);
  });
});

describe('score components (hand-computed)', () => {
  it('areas coverage: exact 1, whole series 0.8, same series 0.4, first area counts double', () => {
    expect(seriesOf('05.30')).toBe('05');
    expect(seriesOf('05')).toBe('05');
    expect(seriesOf('AMMO')).toBe('AMMO');
    expect(areaMatch('05.30', ['05.30'])).toBe(1);
    expect(areaMatch('05.30', ['05'])).toBe(0.8);
    expect(areaMatch('05', ['05.20'])).toBe(0.8);
    expect(areaMatch('05.30', ['05.20'])).toBe(0.4);
    expect(areaMatch('AMMO', ['05.20'])).toBe(0);
    // (2·1 + 1·0) / 3
    expect(
      areaCoverage({ controlAreas: ['05.30', '03.20'] }, { controlAreas: ['05.30'] }),
    ).toBeCloseTo(2 / 3, 10);
    // (2·0 + 1·1) / 3
    expect(
      areaCoverage({ controlAreas: ['03.20', '05.30'] }, { controlAreas: ['05.30'] }),
    ).toBeCloseTo(1 / 3, 10);
    // (2·0.4 + 1·0.8) / 3
    expect(
      areaCoverage({ controlAreas: ['05.30', '03'] }, { controlAreas: ['05.20', '03.10'] }),
    ).toBeCloseTo(1.6 / 3, 10);
  });

  // The formula changed (issue 7): the areas and types components used to be the coverage
  // alone, so an offer doing four things scored like the one doing exactly what the need
  // asks. They are now coverage × (1 − b + b × precision), precision being the share of the
  // offer's areas (types) the need uses and b the `breadth` weight (0 gives the old values).
  it("areas: coverage lowered by the share of the offer's areas the need does not use", () => {
    // The offer's only area is used: precision 1, the component is the coverage.
    expect(
      areasComponent({ controlAreas: ['05.30', '03.20'] }, { controlAreas: ['05.30'] }, 0.75),
    ).toBeCloseTo(2 / 3, 10);
    // precision: 05.20 is in the series of the need's 05.30 (0.4), 03.10 is in its 03 (0.8)
    expect(
      areaPrecision({ controlAreas: ['05.30', '03'] }, { controlAreas: ['05.20', '03.10'] }),
    ).toBeCloseTo(0.6, 10);
    // coverage 1.6/3 × (0.25 + 0.75 × 0.6)
    expect(
      areasComponent({ controlAreas: ['05.30', '03'] }, { controlAreas: ['05.20', '03.10'] }, 0.75),
    ).toBeCloseTo((1.6 / 3) * 0.7, 10);
    // breadth 0: the coverage alone; breadth 1: coverage × precision
    expect(
      areasComponent({ controlAreas: ['05.30', '03'] }, { controlAreas: ['05.20', '03.10'] }, 0),
    ).toBeCloseTo(1.6 / 3, 10);
    expect(
      areasComponent({ controlAreas: ['05.30', '03'] }, { controlAreas: ['05.20', '03.10'] }, 1),
    ).toBeCloseTo((1.6 / 3) * 0.6, 10);
    // A need for marking: the marking offer beats a programme covering four series.
    const precise = areasComponent({ controlAreas: ['05.30'] }, { controlAreas: ['05.30'] }, 0.75);
    const broad = areasComponent(
      { controlAreas: ['05.30'] },
      { controlAreas: ['05.30', '02.10', '03.20', 'AMMO'] },
      0.75,
    );
    expect(precise).toBe(1);
    expect(broad).toBeCloseTo(0.25 + 0.75 / 4, 10);
    // Nothing in common stays 0 (candidate generation relies on it for tier B).
    expect(areasComponent({ controlAreas: ['AMMO'] }, { controlAreas: ['05.30'] }, 0.75)).toBe(0);
  });

  it("types: share of the need's types the offer provides, lowered for the offer's others", () => {
    // coverage 1/2, the offer's one type is used
    expect(
      typesComponent(
        { assistanceTypes: ['equipment', 'training'] },
        { assistanceTypes: ['equipment'] },
        0.75,
      ),
    ).toBe(0.5);
    // coverage 1, precision 1/2: 1 × (0.25 + 0.75 × 0.5); formerly 1
    expect(
      typesComponent(
        { assistanceTypes: ['legal'] },
        { assistanceTypes: ['legal', 'experts'] },
        0.75,
      ),
    ).toBe(0.625);
    expect(
      typesComponent({ assistanceTypes: ['legal'] }, { assistanceTypes: ['legal', 'experts'] }, 0),
    ).toBe(1);
    expect(
      typesComponent({ assistanceTypes: ['legal'] }, { assistanceTypes: ['experts'] }, 0.75),
    ).toBe(0);
  });

  it('budget: 1 inside the range, max/cost above it, remaining/cost beyond the envelope', () => {
    const o = { minPerProjectUsd: 50_000, maxPerProjectUsd: 250_000, remainingUsd: 1_000_000 };
    expect(budgetComponent({ uncoveredUsd: 120_000 }, o)).toBe(1);
    expect(budgetComponent({ uncoveredUsd: 500_000 }, o)).toBe(0.5);
    expect(budgetComponent({ uncoveredUsd: 40_000 }, o)).toBe(0);
    expect(budgetComponent({ uncoveredUsd: 200_000 }, { ...o, remainingUsd: 50_000 })).toBe(0.25);
  });

  it('timing: share of the need window covered by the offer', () => {
    // need 2027-01-01..2027-12-31 (365 days), offer until 2027-06-30 → 181 days
    expect(timingComponent(need(), offer(), '2026-11-27')).toBeCloseTo(181 / 365, 10);
    expect(timingComponent(need(), offer({ endDate: '2028-01-01' }), '2026-11-27')).toBe(1);
    // no earliest start: from today (2027-12-01) to 2027-12-31 = 31 days, all covered
    expect(
      timingComponent(
        need({ earliestStart: null }),
        offer({ endDate: '2028-01-01' }),
        '2027-12-01',
      ),
    ).toBe(1);
  });

  it('language, priority with plan rank, prior engagement', () => {
    expect(languageComponent({ language: 'fr' }, { languages: ['en', 'fr'] })).toBe(1);
    expect(languageComponent({ language: 'ar' }, { languages: ['en'] })).toBe(0);
    expect(priorityComponent({ priority: 'medium', planRank: null })).toBe(0.6);
    // 0.7·1 + 0.3/√4
    expect(priorityComponent({ priority: 'high', planRank: 4 })).toBeCloseTo(0.85, 10);
    expect(engagementComponent(need(), { states: new Set(['GHA']), subRegions: new Set() })).toBe(
      1,
    );
    expect(engagementComponent(need(), { states: new Set(), subRegions: new Set(['202']) })).toBe(
      0.5,
    );
    expect(engagementComponent(need(), undefined)).toBe(0);
  });

  it('text: terms equal the stopword library and stemmers applied word by word', () => {
    // The reference: removeStopwords (an array scan per word) and a fresh stemmer per call,
    // as terms() was first written; terms() uses sets and a memo, with the same result.
    const reference = (text: string, language: string) => {
      const algorithm = { en: 'english', fr: 'french', es: 'spanish', ru: 'russian', ar: 'arabic' }[
        language
      ];
      const stem = algorithm ? newStemmer(algorithm) : undefined;
      const lists: Record<string, string[]> = { en: eng, fr: fra, es: spa, ru: rus, ar: ara };
      const words = removeStopwords(
        text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [],
        lists[language] ?? eng,
      ).filter((w) => w.length > 1);
      return new Set(
        words.map((w) => (stem ? stem.stem(w) : w).normalize('NFKD').replace(/\p{M}/gu, '')),
      );
    };
    const texts: [string, string][] = [
      ['The marking of weapons, and the Marking machines for the police', 'en'],
      ['Le marquage des armes à feu et la sécurité des dépôts de la Gendarmerie', 'fr'],
      ['Gestión de arsenales y marcaje de armas pequeñas para la policía nacional', 'es'],
      ['Маркировка и учёт оружия, управление запасами боеприпасов', 'ru'],
      ['وسم الأسلحة وإدارة مخزونات الذخيرة لدى الشرطة', 'ar'],
      ['Destrucción de excedentes; Éxito à Ørsted naïve café', 'xx'],
    ];
    for (let round = 0; round < 2; round++)
      for (const [text, language] of texts)
        expect([...terms(text, language)]).toEqual([...reference(text, language)]);
  });

  it('text: language-aware terms, stemmed, stop words removed', () => {
    const en = terms('Marking of weapons and the marking machines', 'en');
    expect(en.has('mark')).toBe(true);
    expect(en.has('the')).toBe(false);
    const fr = terms('Le marquage des armes', 'fr');
    expect(fr.has('marquag')).toBe(true);
    expect([...terms('武器标识', 'zh')]).toEqual(['武器', '器标', '标识']);
    expect(textRelevance(new Set(['a', 'b']), new Set(['b', 'c']))).toBe(0.5);
    expect(textRelevance(new Set(), new Set(['b']))).toBe(0);
  });
});

describe('score', () => {
  it('is the weighted sum, hand-computed', () => {
    const n = need();
    const o = offer();
    const { score, components } = scorePair(n, o, DEFAULT_WEIGHTS, {
      today: '2026-11-27',
      needTerms: new Set(),
      offerTerms: new Set(),
    });
    // areas: coverage 1, precision (1 + 0.4 for 05.31) / 2 = 0.7 → 0.25 + 0.75 × 0.7 = 0.775
    // (formerly 1, before the breadth term); types: coverage 0.5, precision 1.
    expect(components).toEqual({
      areas: 0.775,
      types: 0.5,
      budget: 1,
      timing: 0.4959,
      language: 1,
      priority: 1,
      engagement: 0,
      text: 0,
    });
    // The default weights (types.ts), written out.
    const base =
      0.353 * 0.775 +
      0.235 * 0.5 +
      0.177 * 1 +
      0.078 * (181 / 365) +
      0.052 * 1 +
      0.063 * 1 +
      0.042 * 0;
    expect(score).toBeCloseTo(base, 4); // text 0 ≤ base: text adds nothing, takes nothing
  });

  it('text only adds: a French need scores the same against an English offer as with no text', () => {
    const n = need({
      language: 'fr',
      title: 'Machines de marquage',
      description: 'Marquage des armes de la police',
    });
    const o = offer({ languages: ['fr'] });
    const withText = scorePair(n, o, DEFAULT_WEIGHTS, { today: '2026-11-27' });
    const noText = scorePair(n, o, DEFAULT_WEIGHTS, {
      today: '2026-11-27',
      needTerms: new Set(),
      offerTerms: new Set(),
    });
    expect(withText.score).toBe(noText.score);
    const related = scorePair(need(), offer(), DEFAULT_WEIGHTS, { today: '2026-11-27' });
    const unrelated = scorePair(need(), offer(), DEFAULT_WEIGHTS, {
      today: '2026-11-27',
      needTerms: new Set(),
      offerTerms: new Set(),
    });
    expect(related.components.text).toBeGreaterThan(0.3);
    expect(related.score).toBeGreaterThanOrEqual(unrelated.score);
  });

  it('stays within [0, 1]', () => {
    const best = scorePair(
      need({ planRank: 1, assistanceTypes: ['equipment'] }),
      // One area, the need's (a broader offer would lose some of the areas component).
      offer({ endDate: '2028-12-31', controlAreas: ['05.30'] }),
      DEFAULT_WEIGHTS,
      {
        today: '2026-11-27',
        prior: { states: new Set(['GHA']), subRegions: new Set() },
        needTerms: new Set(['x']),
        offerTerms: new Set(['x']),
      },
    );
    expect(best.score).toBe(1);
  });
});

describe('explanation', () => {
  const glossary: Glossary = {
    countryName: (a, l) => (a === 'GHA' ? (l === 'fr' ? 'le Ghana' : 'Ghana') : a),
    regionName: (c) =>
      ({ '011': 'Western Africa', '002': 'Africa', '202': 'Sub-Saharan Africa' })[c] ?? c,
    groupName: (c) => c,
    areaTitle: (c) =>
      ({ '05.30': 'Marking and recordkeeping', '05.31': 'Marking at import' })[c] ?? c,
  };

  it('says why, citing areas, region, budget range and language', () => {
    const n = need();
    const o = offer();
    const s = scorePair(n, o, DEFAULT_WEIGHTS, { today: '2026-11-27' });
    expect(explain(n, o, checkEligibility(n, o), s.components, glossary)).toBe(
      "Both cover 05.30 Marking and recordkeeping; the offer is broader, also covering 05.31 Marking at import; Ghana is in the offer's region (Western Africa); USD 120,000 fits the offer's 50,000–250,000 range; assistance in common: equipment; deliverable in English",
    );
  });

  it('is written in French for a French need, and flags a partial cover', () => {
    const n = need({ language: 'fr', uncoveredUsd: 400_000 });
    const o = offer();
    const s = scorePair(n, o, DEFAULT_WEIGHTS, { today: '2026-11-27' });
    const text = explain(n, o, checkEligibility(n, o), s.components, glossary);
    expect(text).toMatch(
      /^Les deux portent sur 05\.30 Marking and recordkeeping; l'offre est plus large et porte aussi sur 05\.31 Marking at import; le Ghana fait partie de la région de l'offre \(Western Africa\); l'offre peut couvrir 250.000 USD sur 400.000 USD \(partiel\)/,
    );
    expect(text).toContain('réalisable en français');
  });

  it("names the offer's areas the need does not ask for, and only those", () => {
    const n = need();
    const exact = offer({ controlAreas: ['05.30'] });
    const s1 = scorePair(n, exact, DEFAULT_WEIGHTS, { today: '2026-11-27' });
    expect(explain(n, exact, checkEligibility(n, exact), s1.components, glossary)).not.toContain(
      'broader',
    );
    // The whole series of the need's area is not "beyond" it (0.8); four others are.
    const broad = offer({ controlAreas: ['05', '05.31', '02.10', '03.20', 'AMMO'] });
    const s2 = scorePair(n, broad, DEFAULT_WEIGHTS, { today: '2026-11-27' });
    expect(s2.components.areas).toBeLessThan(s1.components.areas);
    expect(explain(n, broad, checkEligibility(n, broad), s2.components, glossary)).toContain(
      'the offer is broader, also covering 05.31 Marking at import, 02.10 02.10, 03.20 03.20, +1;',
    );
  });

  it('falls back to English for languages without templates', () => {
    const n = need({ language: 'ru' });
    const o = offer();
    const s = scorePair(n, o, DEFAULT_WEIGHTS, { today: '2026-11-27' });
    expect(explain(n, o, checkEligibility(n, o), s.components, glossary)).toMatch(
      /^Both cover .*not offered in Russian$/,
    );
  });
});
