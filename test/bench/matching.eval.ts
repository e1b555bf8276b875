/**
 * `npm run eval:matching [-- --needs 1500 --offers 2000 --seed 47]`: how good are the
 * suggestions? A labelled synthetic set: each need is written from one intended offer —
 * as a State would describe the same project in its own words — with noise in every
 * dimension (areas: a neighbouring module, the series, an extra area; types: a subset plus
 * one the offer lacks; the State's own language, often not one the offer is delivered in;
 * text from its own phrase banks and frames, paraphrased; cost around and beyond the offer's
 * range; a window shifted around the offer's), among plausible distractors: the same donors'
 * other offers, in the same regions, on neighbouring areas. Nothing in the text names the
 * offer; the generator shares no ids or strings with the engine.
 *
 * The engine ranks every offer for every need (eligibility rules, score, top 10), in memory.
 * Prints precision_at_1, recall_at_5 and ndcg_at_10 (one relevant offer per need) for the
 * default weights on the test split; then tunes MATCH_WEIGHTS by coordinate search on the
 * development split and prints the tuned weights' figures on the test split.
 */
import countriesJson from '../../src/database/reference/countries.generated.json';
import { regionalGroupOf } from '../../src/database/reference/regional-groups';
import { ASSISTANCE_TYPES, CONTROL_AREAS } from '../../src/database/reference/taxonomy';
import { CountryInfo, OfferIndex } from '../../src/modules/matching/engine/candidates';
import { prepareNeed, prepareOffer } from '../../src/modules/matching/engine/prepared';
import type { NeedFacts, OfferFacts, ScoreWeights } from '../../src/modules/matching/engine/types';
import { DEFAULT_WEIGHTS } from '../../src/modules/matching/engine/types';
import { effectiveWeights } from '../../src/modules/matching/matching.service';
import { Language, LANGUAGES, pickWeighted, rng, TOPICS, usualLanguage } from './world';

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? fallback : Number(process.argv[i + 1]);
}
const NEEDS = flag('needs', 1500);
const OFFERS = flag('offers', 2000);
const SEED = flag('seed', 47);
const MIN_SCORE = 0.2;
const K = 10;
const TODAY = '2026-01-15';

/** The need side's own wording (different frames from the offers' and from world.ts). */
const ASK: Record<Language, string[]> = {
  en: ['Our {o} needs {t}', 'Request: {t} for the {o}', 'Assistance sought with {t}'],
  fr: ['Notre {o} a besoin de {t}', 'Demande : {t} pour la {o}', 'Assistance demandée : {t}'],
  es: ['Nuestra {o} necesita {t}', 'Solicitud: {t} para la {o}', 'Se busca asistencia: {t}'],
  ru: ['Нашей {o} требуется {t}', 'Запрос: {t}', 'Требуется помощь: {t}'],
  ar: ['تحتاج {o} إلى {t}', 'طلب: {t}', 'مطلوب مساعدة في {t}'],
  zh: ['{o}需要{t}', '请求：{t}', '寻求{t}方面的援助'],
};
const DETAIL: Record<Language, string[]> = {
  en: [
    'The project covers {t} over two years.',
    'Priority is given to {t} in the provinces.',
    'Staff lack experience with {t}.',
  ],
  fr: [
    'Le projet porte sur {t} pendant deux ans.',
    'La priorité va à {t} dans les provinces.',
    "Le personnel manque d'expérience en {t}.",
  ],
  es: [
    'El proyecto abarca {t} durante dos años.',
    'Se da prioridad a {t} en las provincias.',
    'El personal carece de experiencia en {t}.',
  ],
  ru: ['Проект охватывает {t} в течение двух лет.', 'Приоритет: {t} в провинциях.'],
  ar: ['يشمل المشروع {t} على مدى عامين.', 'تعطى الأولوية إلى {t} في المحافظات.'],
  zh: ['该项目两年内涵盖{t}。', '优先在各省开展{t}。'],
};
const OFFER_TEXT: Record<Language, string[]> = {
  en: [
    'Grants for {t}',
    'Technical cooperation on {t} and {u}',
    'We fund {t}, {u} and related training',
  ],
  fr: ['Subventions pour {t}', 'Coopération technique : {t} et {u}'],
  es: ['Subvenciones para {t}', 'Cooperación técnica en {t} y {u}'],
  ru: ['Гранты: {t}', 'Техническое сотрудничество: {t} и {u}'],
  ar: ['منح من أجل {t}', 'تعاون تقني في {t} و{u}'],
  zh: ['{t}赠款', '{t}和{u}技术合作'],
};
const OWNER: Record<Language, string[]> = {
  en: ['police service', 'defence ministry', 'customs administration'],
  fr: ['police', 'administration des douanes', 'gendarmerie'],
  es: ['policía', 'administración de aduanas', 'guardia civil'],
  ru: ['полиции', 'таможне'],
  ar: ['الشرطة', 'إدارة الجمارك'],
  zh: ['警察部门', '海关'],
};

export interface Labelled {
  need: NeedFacts;
  intended: string;
}

export function generate() {
  const r = rng(SEED);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)];
  const fill = (s: string, v: Record<string, string>) => s.replace(/\{(\w)\}/g, (_, k) => v[k]);
  const series: Record<string, string[]> = {};
  for (const a of CONTROL_AREAS) {
    if (a.kind !== 'module') series[a.code] ??= [];
    else (series[a.series!] ??= []).push(a.code);
  }
  const seriesOfArea = (a: string) => (/^\d{2}\./.test(a) ? a.slice(0, 2) : a);
  const topic = (area: string, lang: Language) => pick(TOPICS[seriesOfArea(area)][lang]);
  const types = ASSISTANCE_TYPES.map((t) => t.code);
  const countries = (countriesJson as Record<string, any>[]).map((c) => ({
    alpha3: c.alpha3 as string,
    regions: [c.regionCode, c.subRegionCode, c.intermediateRegionCode].filter(Boolean) as string[],
    group: regionalGroupOf(c.alpha3),
    row: {
      alpha3: c.alpha3,
      region_code: c.regionCode,
      sub_region_code: c.subRegionCode,
      intermediate_region_code: c.intermediateRegionCode,
      regional_group: regionalGroupOf(c.alpha3),
    },
  }));
  const language = new Map(countries.map((c) => [c.alpha3, usualLanguage(c.row, r)]));
  const day = (d: number) =>
    new Date(Date.UTC(2025, 6, 1) + d * 86_400_000).toISOString().slice(0, 10);
  const areasNear = (n: number, main: string) => {
    const out = new Set<string>([main]);
    while (out.size < n) {
      const s =
        r() < 0.7
          ? seriesOfArea(main)
          : pickWeighted(r, [
              ['05', 3],
              ['03', 1],
              ['AMMO', 1],
              ['04', 1],
            ] as [string, number][]);
      const mods = series[s];
      out.add(mods.length && r() < 0.85 ? pick(mods) : s);
    }
    return [...out];
  };
  const regionCodes = [...new Set(countries.flatMap((c) => c.regions.slice(0, 2)))];
  const donors = Array.from({ length: 30 }, (_, i) => {
    const x = r();
    return {
      id: `donor-${i}`,
      eligibility:
        x < 0.4
          ? { regions: [pick(regionCodes)], groups: [], countries: [], excludeCountries: [] }
          : x < 0.55
            ? {
                regions: [],
                groups: [pick(['AFRICAN', 'APG', 'EEG', 'GRULAC', 'WEOG'])],
                countries: [],
                excludeCountries: [],
              }
            : { regions: [], groups: [], countries: [], excludeCountries: [] },
      languages: [...new Set(['en', pick(LANGUAGES), pick(LANGUAGES)])] as string[],
    };
  });
  const offers: OfferFacts[] = [];
  for (let i = 0; i < OFFERS; i++) {
    const d = donors[i % donors.length];
    const lang = pick(d.languages) as Language;
    const main = pick(CONTROL_AREAS.filter((a) => a.kind !== 'series')).code;
    const areas = areasNear(1 + Math.floor(r() * 4), main);
    const total = Math.round(100_000 * Math.exp(r() * Math.log(100)));
    const min = r() < 0.5 ? Math.round(total * 0.02) : null;
    const max = r() < 0.8 ? Math.round(total * (0.15 + r() * 0.4)) : null;
    const start = Math.floor(r() * 400) - 200;
    offers.push({
      id: `offer-${String(i).padStart(5, '0')}`,
      partyId: d.id,
      status: 'active',
      controlAreas: areas,
      assistanceTypes: [...new Set([pick(types), pick(types), pick(types), pick(types)])],
      eligibility: d.eligibility,
      minPerProjectUsd: min,
      maxPerProjectUsd: max,
      remainingUsd: Math.round(total * (0.3 + r() * 0.7)),
      startDate: day(start),
      endDate: day(start + 365 + Math.floor(r() * 900)),
      languages: d.languages,
      title: fill(pick(OFFER_TEXT[lang]), {
        t: topic(areas[0], lang),
        u: topic(pick(areas), lang),
      }),
      description: fill(pick(OFFER_TEXT[lang]), {
        t: topic(pick(areas), lang),
        u: topic(pick(areas), lang),
      }),
    });
  }
  const index = new OfferIndex(
    countries.map(({ alpha3, regions, group }): CountryInfo => ({ alpha3, regions, group })),
  );
  for (const o of offers) index.upsert(prepareOffer(o));
  const eligibleStates = (o: OfferFacts) =>
    countries.filter((c) => {
      const e = o.eligibility;
      if (e.excludeCountries.includes(c.alpha3)) return false;
      if (!e.regions.length && !e.groups.length && !e.countries.length) return true;
      return (
        c.regions.some((x) => e.regions.includes(x)) ||
        (c.group !== null && e.groups.includes(c.group))
      );
    });
  const labelled: Labelled[] = [];
  for (let i = 0; i < NEEDS; i++) {
    const o = pick(offers);
    const c = pick(eligibleStates(o));
    const lang: Language = r() < 0.7 ? language.get(c.alpha3)! : (pick(o.languages) as Language);
    // Areas: the offer's, each kept or moved to a neighbour in its series (or the series
    // itself), sometimes one more unrelated area; types: some of the offer's, maybe one more.
    const areas = [
      ...new Set([
        ...o.controlAreas.map((a) => {
          const mods = series[seriesOfArea(a)];
          const x = r();
          return x < 0.75 ? a : x < 0.9 && mods.length ? pick(mods) : seriesOfArea(a);
        }),
        ...(r() < 0.2 ? [pick(CONTROL_AREAS).code] : []),
      ]),
    ];
    const first = areas[0];
    const needTypes = [
      ...new Set([
        ...o.assistanceTypes.filter(() => r() < 0.7),
        pick(o.assistanceTypes),
        ...(r() < 0.2 ? [pick(types)] : []),
      ]),
    ];
    const lo = o.minPerProjectUsd ?? 10_000;
    const hi = Math.min(o.maxPerProjectUsd ?? o.remainingUsd, o.remainingUsd);
    const cost = Math.round(lo + r() * Math.max((r() < 0.75 ? hi : hi * 1.4) - lo, 1000));
    const oStart = Date.parse(o.startDate) / 86_400_000 - Date.UTC(2025, 6, 1) / 86_400_000;
    const start = Math.round(oStart + (r() - 0.3) * 300);
    const owner = pick(OWNER[lang]);
    labelled.push({
      intended: o.id,
      need: {
        id: `need-${String(i).padStart(5, '0')}`,
        partyId: c.alpha3,
        status: 'published',
        state: c.alpha3,
        stateRegions: c.regions,
        stateGroup: c.group,
        stateSubRegion: c.regions[1],
        language: lang,
        controlAreas: areas,
        assistanceTypes: needTypes,
        priority: pick(['high', 'medium', 'low'] as const),
        planRank: r() < 0.3 ? 1 + Math.floor(r() * 10) : null,
        uncoveredUsd: cost,
        earliestStart: r() < 0.2 ? null : day(start),
        neededBy: day(start + 200 + Math.floor(r() * 500)),
        title: fill(pick(ASK[lang]), { o: owner, t: topic(first, lang) }),
        description: fill(pick(DETAIL[lang]), { t: topic(pick(areas), lang) }),
      },
    });
  }
  return { index, labelled };
}

interface Figures {
  precision_at_1: number;
  recall_at_5: number;
  ndcg_at_10: number;
}

export function evaluate(index: OfferIndex, set: Labelled[], weights: ScoreWeights): Figures {
  let p1 = 0;
  let r5 = 0;
  let ndcg = 0;
  const opts = {
    k: K,
    minScore: MIN_SCORE,
    weights,
    todayMs: Date.parse(TODAY),
    prior: () => undefined,
  };
  for (const { need, intended } of set) {
    const top = index.topForNeed(prepareNeed(need), opts).top.map((t) => t.offer.facts.id);
    const rank = top.indexOf(intended);
    if (rank === 0) p1++;
    if (rank >= 0 && rank < 5) r5++;
    if (rank >= 0) ndcg += 1 / Math.log2(rank + 2);
  }
  const f = (x: number) => Math.round((x / set.length) * 1000) / 1000;
  return { precision_at_1: f(p1), recall_at_5: f(r5), ndcg_at_10: f(ndcg) };
}

const objective = (f: Figures) => f.recall_at_5 + f.ndcg_at_10 + 0.5 * f.precision_at_1;

function main() {
  const { index, labelled } = generate();
  const split = Math.floor(labelled.length * 0.6);
  const dev = labelled.slice(0, split);
  const test = labelled.slice(split);
  const defaults = effectiveWeights();
  const base = evaluate(index, test, defaults);
  // Coordinate search on the development split, over the raw (un-normalised) weights of what
  // this set can measure. Language, priority and engagement keep their values: here the
  // State writes in its own language whatever the offer's (an assumption of the generator,
  // which would drive the language weight to 0), priority is the need's own (the same for
  // all its offers) and no donor has prior commitments.
  const keys = ['areas', 'types', 'budget', 'timing', 'text', 'breadth'] as const;
  let raw: ScoreWeights = { ...DEFAULT_WEIGHTS };
  let best = objective(evaluate(index, dev, effectiveWeights(raw)));
  for (let round = 0; round < 2; round++) {
    for (const k of keys) {
      for (const factor of [0, 0.5, 0.75, 1.5, 2, 3]) {
        const candidate = { ...raw, [k]: Math.min(1, Math.round(raw[k] * factor * 1000) / 1000) };
        const score = objective(evaluate(index, dev, effectiveWeights(candidate)));
        if (score > best + 1e-9) {
          best = score;
          raw = candidate;
        }
      }
    }
  }
  const tuned = evaluate(index, test, effectiveWeights(raw));
  const lines: [string, string | number][] = [
    ['needs', labelled.length],
    ['offers', OFFERS],
    ['test_needs', test.length],
    ['precision_at_1', base.precision_at_1],
    ['recall_at_5', base.recall_at_5],
    ['ndcg_at_10', base.ndcg_at_10],
    ['tuned_weights', JSON.stringify(raw)],
    [
      'tuned_weights_normalised',
      JSON.stringify(
        Object.fromEntries(
          Object.entries(effectiveWeights(raw)).map(([k, v]) => [k, Math.round(v * 1000) / 1000]),
        ),
      ),
    ],
    ['tuned_precision_at_1', tuned.precision_at_1],
    ['tuned_recall_at_5', tuned.recall_at_5],
    ['tuned_ndcg_at_10', tuned.ndcg_at_10],
  ];
  for (const [k, v] of lines) process.stdout.write(`${k}: ${v}\n`);
}

if (require.main === module) main();
