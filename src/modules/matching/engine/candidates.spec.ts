import { OfferIndex, OfferSideTracker, CountryInfo, RankedNeed, seedFloors } from './candidates';
import { checkEligibility } from './eligibility';
import {
  baseFromColumns,
  baseInto,
  baseParts,
  columnsFit,
  finishScore,
  OfferColumns,
  offerTerms,
  PARTS_STRIDE,
  prepareNeed,
  prepareOffer,
} from './prepared';
import { scorePair } from './score';
import { terms } from './text';
import { DEFAULT_WEIGHTS, NeedFacts, OfferFacts, PriorEngagement, ScoreWeights } from './types';

/** A small deterministic random world: every rule and component gets exercised. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const AREAS = [
  '02',
  '02.10',
  '03.10',
  '03.20',
  '05',
  '05.10',
  '05.20',
  '05.30',
  '05.31',
  'AMMO',
  'BRK',
];
const TYPES = [
  'legal',
  'institutional',
  'technical',
  'equipment',
  'financial',
  'training',
  'experts',
];
const LANGS = ['en', 'fr', 'es', 'ru', 'ar', 'zh'];
const WORDS: Record<string, string[]> = {
  en: ['marking', 'weapons', 'stockpile', 'training', 'police', 'border', 'records', 'destruction'],
  fr: ['marquage', 'armes', 'stocks', 'formation', 'police', 'frontières', 'registres'],
  es: ['marcaje', 'armas', 'arsenales', 'formación', 'policía', 'fronteras', 'registro'],
  ru: ['маркировка', 'оружия', 'запасами', 'полиции', 'учёт'],
  ar: ['وسم', 'الأسلحة', 'مخزونات', 'الشرطة'],
  zh: ['武器标识', '库存管理', '警察', '边境'],
};

function world(seed: number, needCount: number, offerCount: number) {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)];
  const some = <T>(xs: readonly T[], max: number) => {
    const n = 1 + Math.floor(r() * max);
    return [...new Set(Array.from({ length: n }, () => pick(xs)))];
  };
  const date = (from: number, span: number) =>
    new Date(Date.UTC(2026, 0, 1) + Math.floor(from + r() * span) * 86_400_000)
      .toISOString()
      .slice(0, 10);
  const text = (lang: string) => Array.from({ length: 6 }, () => pick(WORDS[lang])).join(' ');
  const countries: CountryInfo[] = Array.from({ length: 40 }, (_, i) => ({
    alpha3: `C${String(i).padStart(2, '0')}`,
    regions: [`R${i % 4}`, `S${i % 9}`, ...(i % 3 === 0 ? [`I${i % 5}`] : [])],
    group: i % 7 === 0 ? null : `G${i % 5}`,
  }));
  const parties = Array.from({ length: 12 }, (_, i) => `p${i}`);
  const offers: OfferFacts[] = Array.from({ length: offerCount }, (_, i) => {
    const start = date(-200, 500);
    const min = r() < 0.5 ? Math.round(r() * 100_000) : null;
    return {
      id: `o${String(i).padStart(5, '0')}`,
      partyId: pick(parties),
      status: r() < 0.85 ? 'active' : pick(['paused', 'draft', 'closed']),
      controlAreas: some(AREAS, 3),
      assistanceTypes: some(TYPES, 3),
      eligibility: {
        regions: r() < 0.4 ? some(['R0', 'R1', 'R2', 'R3', 'S1', 'S4', 'I2'], 2) : [],
        groups: r() < 0.2 ? some(['G0', 'G1', 'G2', 'G3', 'G4'], 2) : [],
        countries:
          r() < 0.15
            ? some(
                countries.map((c) => c.alpha3),
                4,
              )
            : [],
        excludeCountries:
          r() < 0.2
            ? some(
                countries.map((c) => c.alpha3),
                3,
              )
            : [],
      },
      minPerProjectUsd: min,
      maxPerProjectUsd: r() < 0.6 ? (min ?? 0) + Math.round(r() * 400_000) + 1 : null,
      remainingUsd: r() < 0.05 ? 0 : Math.round(r() * 2_000_000),
      startDate: start,
      endDate: date(Date.parse(start) / 86_400_000 - 20454 + 30, 700),
      languages: some(LANGS, 3),
      title: text(pick(LANGS)),
      description: text(pick(LANGS)),
    };
  });
  const needs: NeedFacts[] = Array.from({ length: needCount }, (_, i) => {
    const c = pick(countries);
    const language = pick(LANGS);
    const by = date(0, 900);
    return {
      id: `n${String(i).padStart(5, '0')}`,
      partyId: c.alpha3,
      status: r() < 0.9 ? pick(['published', 'partially_covered']) : 'draft',
      state: c.alpha3,
      stateRegions: c.regions,
      stateGroup: c.group,
      stateSubRegion: c.regions[1],
      language,
      controlAreas: some(AREAS, 3),
      assistanceTypes: some(TYPES, 3),
      priority: pick(['high', 'medium', 'low'] as const),
      planRank: r() < 0.3 ? 1 + Math.floor(r() * 10) : null,
      uncoveredUsd: Math.round(r() * 600_000),
      earliestStart: r() < 0.3 ? null : date(-100, Date.parse(by) / 86_400_000 - 20454 + 100),
      neededBy: by,
      title: text(language),
      description: text(language),
    };
  });
  const prior = new Map<string, PriorEngagement>(
    parties
      .slice(0, 6)
      .map((p, i) => [
        p,
        { states: new Set([countries[i].alpha3]), subRegions: new Set([`S${i}`]) },
      ]),
  );
  return { countries, offers, needs, prior };
}

const TODAY = '2026-03-01';
const cmp = (a: RankedNeed, b: RankedNeed) =>
  b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** The reference: every pair through checkEligibility and scorePair, as the engine defines them. */
function allPairs(w: ReturnType<typeof world>, weights: ScoreWeights, k: number, min: number) {
  const byNeed = new Map<string, RankedNeed[]>();
  const byOffer = new Map<string, RankedNeed[]>();
  // Terms computed once per record (scorePair would compute them for every pair).
  const offerTerms = new Map<string, Set<string>>();
  const termsOf = (o: OfferFacts, lang: string) => {
    const key = `${o.id}:${lang}`;
    if (!offerTerms.has(key)) offerTerms.set(key, terms(`${o.title} ${o.description}`, lang));
    return offerTerms.get(key)!;
  };
  for (const n of w.needs) {
    const needTerms = terms(`${n.title} ${n.description}`, n.language);
    for (const o of w.offers) {
      if (!checkEligibility(n, o).eligible) continue;
      const { score } = scorePair(n, o, weights, {
        today: TODAY,
        prior: w.prior.get(o.partyId),
        needTerms,
        offerTerms: termsOf(o, n.language),
      });
      if (score < min) continue;
      (byNeed.get(n.id) ?? byNeed.set(n.id, []).get(n.id)!).push({ id: o.id, score });
      (byOffer.get(o.id) ?? byOffer.set(o.id, []).get(o.id)!).push({ id: n.id, score });
    }
  }
  const cut = (m: Map<string, RankedNeed[]>) =>
    new Map([...m].map(([id, xs]) => [id, xs.sort(cmp).slice(0, k)]));
  return { byNeed: cut(byNeed), byOffer: cut(byOffer) };
}

function indexOf(w: ReturnType<typeof world>) {
  const index = new OfferIndex(w.countries);
  for (const o of w.offers) index.upsert(prepareOffer(o));
  return index;
}

/** What the shared store keeps of a drained entry: its need and score (Redis holds no more). */
const sent = (entries: RankedNeed[]): RankedNeed[] =>
  entries.map(({ id, score }) => ({ id, score }));

describe('prepared scoring', () => {
  it('gives exactly the scores and components of scorePair on random pairs', () => {
    const w = world(7, 100, 300);
    let compared = 0;
    for (let i = 0; i < w.needs.length; i++) {
      const n = w.needs[i];
      const pn = prepareNeed(n);
      for (const o of w.offers.slice(i % 5, (i % 5) + 20)) {
        const prior = w.prior.get(o.partyId);
        const ref = scorePair(n, o, DEFAULT_WEIGHTS, { today: TODAY, prior });
        const po = prepareOffer(o);
        const fast = finishScore(
          baseParts(pn, po, DEFAULT_WEIGHTS, Date.parse(TODAY), prior),
          pn,
          po,
          DEFAULT_WEIGHTS,
        );
        expect(fast).toEqual(ref);
        // Other breadths (0: coverage alone; 1: coverage × precision) too.
        const terms = { needTerms: pn.terms, offerTerms: offerTerms(po, n.language) };
        for (const breadth of [0, 1]) {
          const w = { ...DEFAULT_WEIGHTS, breadth };
          expect(finishScore(baseParts(pn, po, w, Date.parse(TODAY), prior), pn, po, w)).toEqual(
            scorePair(n, o, w, { today: TODAY, prior, ...terms }),
          );
        }
        compared++;
      }
    }
    expect(compared).toBe(2_000);
  });

  it('computes from the offer columns the very same base parts as from the objects', () => {
    const w = world(11, 150, 400);
    const offers = w.offers.map((o) => prepareOffer(o));
    const cols = new OfferColumns(offers.length);
    offers.forEach((o, slot) => cols.set(slot, o));
    const today = Date.parse(TODAY);
    const viaObjects = new Float64Array(PARTS_STRIDE);
    const viaColumns = new Float64Array(PARTS_STRIDE);
    let compared = 0;
    const differing: string[] = [];
    expect([...cols.fast]).toEqual(offers.map(() => 1));
    for (const n of w.needs) {
      const pn = prepareNeed(n);
      expect(columnsFit(pn)).toBe(true);
      const start = Math.min(pn.earliestMs ?? today, pn.endMs);
      const span = Math.round((pn.endMs - start) / 86_400_000) + 1;
      for (const weights of [DEFAULT_WEIGHTS, { ...DEFAULT_WEIGHTS, breadth: 1 }]) {
        offers.forEach((po, slot) => {
          const engagement = slot % 3 === 0 ? 0 : slot % 3 === 1 ? 0.5 : 1;
          const a = baseInto(pn, po, weights, today, engagement, viaObjects, 0);
          baseFromColumns(
            pn,
            cols,
            slot,
            weights,
            Float64Array.of(start, span, engagement),
            viaColumns,
            0,
          );
          const b = viaColumns[7];
          // The very same doubles (Object.is), not merely close ones.
          const same = Object.is(a, b) && viaObjects.every((x, j) => Object.is(x, viaColumns[j]));
          if (!same) differing.push(`${n.id}/${po.facts.id}: ${viaObjects} vs ${viaColumns}`);
          compared++;
        });
      }
    }
    expect(differing.slice(0, 5)).toEqual([]);
    expect(compared).toBe(150 * 400 * 2);
  });
});

describe('candidate generation', () => {
  const cases: [string, number, ScoreWeights, number, number][] = [
    ['default weights, K 10, minimum 0.2', 1, DEFAULT_WEIGHTS, 10, 0.2],
    ['K 3, minimum 0.5', 2, DEFAULT_WEIGHTS, 3, 0.5],
    ['breadth 1 (coverage × precision), K 5', 4, { ...DEFAULT_WEIGHTS, breadth: 1 }, 5, 0.3],
    [
      'weights without areas (tier B decides everything)',
      3,
      { ...DEFAULT_WEIGHTS, areas: 0, types: 0.3, budget: 0.3, text: 0.4 },
      5,
      0.1,
    ],
  ];

  it.each(cases)(
    'returns the same top K as scoring every pair (%s)',
    (_l, seed, weights, k, min) => {
      const w = world(seed, 400, 300);
      const reference = allPairs(w, weights, k, min);
      const index = indexOf(w);
      let considered = 0;
      let nonEmpty = 0;
      for (const n of w.needs) {
        const res = index.topForNeed(prepareNeed(n), {
          k,
          minScore: min,
          weights,
          todayMs: Date.parse(TODAY),
          prior: (p) => w.prior.get(p),
        });
        considered += res.considered;
        const got = res.top.map((t) => ({ id: t.offer.facts.id, score: t.scored.score }));
        expect({ need: n.id, top: got }).toEqual({
          need: n.id,
          top: reference.byNeed.get(n.id) ?? [],
        });
        if (got.length) nonEmpty++;
      }
      // The test means something: most needs have suggestions, and far fewer pairs than all
      // of them were looked at.
      expect(nonEmpty).toBeGreaterThan(w.needs.length / 2);
      expect(considered).toBeLessThan(w.needs.length * w.offers.length * 0.5);
    },
  );

  it('in chunks with offer-side tracking, the merged offer tops equal scoring every pair', () => {
    const w = world(11, 400, 300);
    const k = 4;
    const min = 0.2;
    const reference = allPairs(w, DEFAULT_WEIGHTS, k, min);
    const index = indexOf(w);
    // The shared store (Redis in the service): per offer the best K over all chunks so far.
    const store = new Map<string, RankedNeed[]>();
    const floors = () =>
      new Map(
        [...store].filter(([, xs]) => xs.length >= k).map(([id, xs]) => [id, xs[k - 1].score]),
      );
    for (let c = 0; c < 4; c++) {
      const tracker = new OfferSideTracker(index, k, min, DEFAULT_WEIGHTS, floors());
      for (const n of w.needs.slice(c * 300, (c + 1) * 300)) {
        index.topForNeed(prepareNeed(n), {
          k,
          minScore: min,
          weights: DEFAULT_WEIGHTS,
          todayMs: Date.parse(TODAY),
          prior: (p) => w.prior.get(p),
          offerSide: tracker,
        });
      }
      for (const [offerId, entries] of tracker.drain()) {
        const merged = [...(store.get(offerId) ?? []), ...sent(entries)]
          .filter((e, i, xs) => xs.findIndex((x) => x.id === e.id) === i)
          .sort(cmp)
          .slice(0, k);
        store.set(offerId, merged);
      }
    }
    let offersWithTop = 0;
    for (const o of w.offers) {
      const want = reference.byOffer.get(o.id) ?? [];
      expect({ offer: o.id, top: store.get(o.id) ?? [] }).toEqual({ offer: o.id, top: want });
      if (want.length) offersWithTop++;
    }
    expect(offersWithTop).toBeGreaterThan(w.offers.length / 2);
  });

  it('in chunks running side by side, raising floors from the shared store, the offer tops stay exact', () => {
    const w = world(12, 800, 300);
    const k = 4;
    const min = 0.2;
    const reference = allPairs(w, DEFAULT_WEIGHTS, k, min);
    const index = indexOf(w);
    const store = new Map<string, RankedNeed[]>();
    // As RematchStore.addTops: merge, trim to K, return the K-th score of full tops.
    const addTops = (tops: [string, RankedNeed[]][]) => {
      const floors = new Map<string, number>();
      for (const [offerId, entries] of tops) {
        const merged = [...(store.get(offerId) ?? []), ...sent(entries)]
          .filter((e, i, xs) => xs.findIndex((x) => x.id === e.id) === i)
          .sort(cmp)
          .slice(0, k);
        store.set(offerId, merged);
        if (merged.length >= k) floors.set(offerId, merged[k - 1].score);
      }
      return floors;
    };
    // Four chunks of 200 needs, interleaved need by need; each sends its tops every 25 needs.
    const trackers = [0, 1, 2, 3].map(() => new OfferSideTracker(index, k, min, DEFAULT_WEIGHTS));
    let raised = 0;
    for (let i = 0; i < 200; i++) {
      trackers.forEach((tracker, c) => {
        index.topForNeed(prepareNeed(w.needs[c * 200 + i]), {
          k,
          minScore: min,
          weights: DEFAULT_WEIGHTS,
          todayMs: Date.parse(TODAY),
          prior: (p) => w.prior.get(p),
          offerSide: tracker,
        });
        if (i % 25 === 24) {
          const before = Array.from(tracker.floors);
          tracker.raiseFloors(addTops(tracker.drain()));
          raised += tracker.floors.filter((f, slot) => f > before[slot]).length;
        }
      });
    }
    for (const tracker of trackers) addTops(tracker.drain());
    expect(raised).toBeGreaterThan(0);
    for (const o of w.offers)
      expect({ offer: o.id, top: store.get(o.id) ?? [] }).toEqual({
        offer: o.id,
        top: reference.byOffer.get(o.id) ?? [],
      });
  });

  it.each([
    ['every need', 1, 0.5],
    ['one need in four', 4, 0.3],
  ])(
    'floors seeded from bases (%s) are at most each offer K-th score, and the chunked tops stay exact',
    (_l, step, closeShare) => {
      const w = world(13, 600, 300);
      const k = 4;
      const min = 0.2;
      const opts = {
        k,
        minScore: min,
        weights: DEFAULT_WEIGHTS,
        todayMs: Date.parse(TODAY),
        prior: (p: string) => w.prior.get(p),
      };
      const reference = allPairs(w, DEFAULT_WEIGHTS, k, min);
      const index = indexOf(w);
      const sample = w.needs.filter((_, i) => i % step === 0).map((n) => prepareNeed(n));
      const seeded = seedFloors(index, sample, opts);
      let close = 0;
      for (const o of w.offers) {
        const floor = seeded.get(o.id);
        if (floor === undefined) continue;
        const top = reference.byOffer.get(o.id) ?? [];
        // A floor is only given for an offer with K pairs at or above it.
        expect({ offer: o.id, tops: top.length }).toEqual({ offer: o.id, tops: k });
        expect(floor).toBeGreaterThan(min);
        expect(floor).toBeLessThanOrEqual(top[k - 1].score);
        if (top[k - 1].score - floor < 0.1) close++;
      }
      // The floors mean something: most offers get one, most of them near their K-th score.
      expect(seeded.size).toBeGreaterThan(w.offers.length / 3);
      expect(close).toBeGreaterThan(seeded.size * closeShare);
      // Chunks starting from those floors (as the run's chunks read them) find the same tops.
      const store = new Map<string, RankedNeed[]>();
      for (let c = 0; c < 3; c++) {
        const tracker = new OfferSideTracker(index, k, min, DEFAULT_WEIGHTS, seeded);
        for (const n of w.needs.slice(c * 200, (c + 1) * 200))
          index.topForNeed(prepareNeed(n), { ...opts, offerSide: tracker });
        for (const [offerId, entries] of tracker.drain())
          store.set(
            offerId,
            [...(store.get(offerId) ?? []), ...sent(entries)].sort(cmp).slice(0, k),
          );
      }
      for (const o of w.offers)
        expect({ offer: o.id, top: store.get(o.id) ?? [] }).toEqual({
          offer: o.id,
          top: reference.byOffer.get(o.id) ?? [],
        });
    },
  );

  it('follows changes: an offer paused or edited leaves or changes the index', () => {
    const w = world(5, 200, 300);
    const index = indexOf(w);
    const opts = {
      k: 10,
      minScore: 0.2,
      weights: DEFAULT_WEIGHTS,
      todayMs: Date.parse(TODAY),
      prior: (p: string) => w.prior.get(p),
    };
    const need = w.needs.find((n) => index.topForNeed(prepareNeed(n), opts).top.length >= 3)!;
    const [first] = index.topForNeed(prepareNeed(need), opts).top;
    index.upsert(prepareOffer({ ...first.offer.facts, status: 'paused' }, 2));
    const after = index.topForNeed(prepareNeed(need), opts).top.map((t) => t.offer.facts.id);
    expect(after).not.toContain(first.offer.facts.id);
    const offers = w.offers.map((o) =>
      o.id === first.offer.facts.id ? { ...o, status: 'paused' } : o,
    );
    const ref = allPairs({ ...w, needs: [need], offers }, DEFAULT_WEIGHTS, 10, 0.2);
    expect(after).toEqual((ref.byNeed.get(need.id) ?? []).map((x) => x.id));
    index.upsert(prepareOffer(first.offer.facts, 3));
    expect(index.topForNeed(prepareNeed(need), opts).top[0].offer.facts.id).toBe(
      first.offer.facts.id,
    );
    for (const o of w.offers.slice(0, 250)) index.remove(o.id);
    index.compact();
    expect(index.size).toBe(
      w.offers.slice(250).filter((o) => o.status === 'active' && o.remainingUsd > 0).length,
    );
    const compacted = index.topForNeed(prepareNeed(need), opts).top.map((t) => t.offer.facts.id);
    const rest = allPairs(
      { ...w, needs: [need], offers: w.offers.slice(250) },
      DEFAULT_WEIGHTS,
      10,
      0.2,
    );
    expect(compacted).toEqual((rest.byNeed.get(need.id) ?? []).map((x) => x.id));
  });
});
