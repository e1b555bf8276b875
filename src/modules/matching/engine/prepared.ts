import { checkEligibility, Eligibility } from './eligibility';
import { budgetComponent, engagementComponent, priorityComponent, seriesOf } from './score';
import type { Scored } from './score';
import { terms, textRelevance } from './text';
import type { Components, NeedFacts, OfferFacts, PriorEngagement, ScoreWeights } from './types';

/**
 * The same score as `scorePair`, computed from records prepared once: dates parsed, areas,
 * types and languages as sets, an offer's text terms kept per language. Every arithmetic step
 * is the one `scorePair` does, in the same order, so the results are identical to the last
 * bit (candidates.spec.ts checks it on random records). Splitting the score in a cheap base
 * and text lets candidate selection bound a pair before computing its text relevance.
 */

const DAY = 86_400_000;
const round = (x: number) => Math.round(x * 10_000) / 10_000;
const isSeries = (code: string) => /^\d{2}$/.test(code);

export interface PreparedNeed {
  facts: NeedFacts;
  areas: { code: string; series: string; isSeries: boolean; weight: number }[];
  areaWeight: number;
  /** Every series (or platform code) the need's areas belong to. */
  series: string[];
  types: string[];
  endMs: number;
  earliestMs: number | null;
  priority: number;
  terms: Set<string>;
}

export interface PreparedOffer {
  facts: OfferFacts;
  version: number;
  areaSet: Set<string>;
  /** seriesOf() of every area of the offer. */
  seriesSet: Set<string>;
  typeSet: Set<string>;
  languageSet: Set<string>;
  startMs: number;
  endMs: number;
  /** Text terms in each language a need has asked for so far. */
  termsByLanguage: Map<string, Set<string>>;
}

export function prepareNeed(facts: NeedFacts): PreparedNeed {
  const areas = facts.controlAreas.map((code, i) => ({
    code,
    series: seriesOf(code),
    isSeries: isSeries(code),
    weight: i === 0 ? 2 : 1,
  }));
  return {
    facts,
    areas,
    areaWeight: areas.reduce((s, a) => s + a.weight, 0),
    series: [...new Set(areas.map((a) => a.series))],
    types: facts.assistanceTypes,
    endMs: Date.parse(facts.neededBy),
    earliestMs: facts.earliestStart === null ? null : Date.parse(facts.earliestStart),
    priority: priorityComponent(facts),
    terms: terms(`${facts.title} ${facts.description}`, facts.language),
  };
}

export function prepareOffer(facts: OfferFacts, version = 1): PreparedOffer {
  return {
    facts,
    version,
    areaSet: new Set(facts.controlAreas),
    seriesSet: new Set(facts.controlAreas.map(seriesOf)),
    typeSet: new Set(facts.assistanceTypes),
    languageSet: new Set(facts.languages),
    startMs: Date.parse(facts.startDate),
    endMs: Date.parse(facts.endDate),
    termsByLanguage: new Map(),
  };
}

export function offerTerms(offer: PreparedOffer, language: string): Set<string> {
  let t = offer.termsByLanguage.get(language);
  if (!t) {
    t = terms(`${offer.facts.title} ${offer.facts.description}`, language);
    offer.termsByLanguage.set(language, t);
  }
  return t;
}

/** Same as areaMatch(), on the offer's prepared sets. */
function areaMatchPrepared(area: PreparedNeed['areas'][number], offer: PreparedOffer): number {
  if (offer.areaSet.has(area.code)) return 1;
  if (!area.isSeries && offer.areaSet.has(area.series)) return 0.8;
  if (area.isSeries && offer.seriesSet.has(area.code)) return 0.8;
  if (area.series !== area.code && offer.seriesSet.has(area.series)) return 0.4;
  return 0;
}

/** Every component but text, unrounded, as scorePair computes them. */
export interface BaseParts {
  areas: number;
  types: number;
  budget: number;
  timing: number;
  language: number;
  priority: number;
  engagement: number;
  base: number;
}

export function baseParts(
  need: PreparedNeed,
  offer: PreparedOffer,
  weights: ScoreWeights,
  todayMs: number,
  prior: PriorEngagement | undefined,
): BaseParts {
  let areas = 0;
  if (need.areas.length) {
    let total = 0;
    for (const a of need.areas) total += a.weight * areaMatchPrepared(a, offer);
    areas = total / need.areaWeight;
  }
  let types = 0;
  if (need.types.length) {
    let shared = 0;
    for (const t of need.types) if (offer.typeSet.has(t)) shared++;
    types = shared / need.types.length;
  }
  const budget = budgetComponent(need.facts, offer.facts);
  const end = need.endMs;
  const start = Math.min(need.earliestMs ?? todayMs, end);
  const from = Math.max(start, offer.startMs);
  const to = Math.min(end, offer.endMs);
  const timing =
    to < from ? 0 : (Math.round((to - from) / DAY) + 1) / (Math.round((end - start) / DAY) + 1);
  const language = offer.languageSet.has(need.facts.language) ? 1 : 0;
  const priority = need.priority;
  const engagement = engagementComponent(need.facts, prior);
  const base =
    weights.areas * areas +
    weights.types * types +
    weights.budget * budget +
    weights.timing * timing +
    weights.language * language +
    weights.priority * priority +
    weights.engagement * engagement;
  return { areas, types, budget, timing, language, priority, engagement, base };
}

/** The highest score a pair with this base can reach, whatever its text relevance. */
export function upperBound(base: number, weights: ScoreWeights): number {
  return round(Math.min(1, Math.max(0, (1 - weights.text) * base + weights.text)));
}

export function finishScore(
  parts: BaseParts,
  need: PreparedNeed,
  offer: PreparedOffer,
  weights: ScoreWeights,
): Scored {
  const text = textRelevance(need.terms, offerTerms(offer, need.facts.language));
  const { base } = parts;
  const score = (1 - weights.text) * base + weights.text * Math.max(base, text);
  const components: Components = {
    areas: round(parts.areas),
    types: round(parts.types),
    budget: round(parts.budget),
    timing: round(parts.timing),
    language: round(parts.language),
    priority: round(parts.priority),
    engagement: round(parts.engagement),
    text: round(text),
  };
  return { score: round(Math.min(1, Math.max(0, score))), components };
}

export interface PairResult {
  eligibility: Eligibility;
  scored: Scored;
}

/** Eligibility and the full score of one pair (the reference path, for any pair). */
export function evaluatePair(
  need: PreparedNeed,
  offer: PreparedOffer,
  weights: ScoreWeights,
  todayMs: number,
  prior: PriorEngagement | undefined,
): PairResult {
  return {
    eligibility: checkEligibility(need.facts, offer.facts),
    scored: finishScore(baseParts(need, offer, weights, todayMs, prior), need, offer, weights),
  };
}

export const dayMs = (isoDate: string) => Date.parse(isoDate);
