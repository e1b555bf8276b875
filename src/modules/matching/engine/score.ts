import type { Components, NeedFacts, OfferFacts, PriorEngagement, ScoreWeights } from './types';
import { terms, textRelevance } from './text';

const DAY = 86_400_000;
const round = (x: number) => Math.round(x * 10_000) / 10_000;

/** `05.30` → `05`; a series code is its own series; a platform area (AMMO) stands alone. */
export function seriesOf(code: string): string {
  const m = /^(\d{2})(?:\.\d{2})?$/.exec(code);
  return m ? m[1] : code;
}

const isSeries = (code: string) => /^\d{2}$/.test(code);

/** How well the offer covers one of the need's areas: exact 1, whole series 0.8, same series 0.4. */
export function areaMatch(needArea: string, offerAreas: readonly string[]): number {
  if (offerAreas.includes(needArea)) return 1;
  const series = seriesOf(needArea);
  if (!isSeries(needArea) && offerAreas.includes(series)) return 0.8;
  if (isSeries(needArea) && offerAreas.some((o) => seriesOf(o) === needArea)) return 0.8;
  if (offerAreas.some((o) => seriesOf(o) === series && series !== needArea)) return 0.4;
  return 0;
}

/**
 * Coverage (the share of the need the offer covers) lowered for an offer broader than the
 * need: coverage × (1 − b + b × precision), where precision is the share of the offer's
 * areas (or types) the need uses and b is the `breadth` weight. An offer doing exactly what
 * the need asks keeps its coverage; one doing four things for a need asking one keeps
 * (1 − b) + b/4 of it. Zero coverage stays zero and the result never exceeds the coverage,
 * so the bounds of candidate generation (candidates.ts) hold unchanged.
 */
export function withBreadth(coverage: number, precision: number, breadth: number): number {
  return coverage * (1 - breadth + breadth * precision);
}

/** Share of the need's areas the offer covers (areaMatch each), the first counting double. */
export function areaCoverage(
  need: Pick<NeedFacts, 'controlAreas'>,
  offer: Pick<OfferFacts, 'controlAreas'>,
): number {
  if (!need.controlAreas.length) return 0;
  let total = 0;
  let weight = 0;
  need.controlAreas.forEach((area, i) => {
    const w = i === 0 ? 2 : 1;
    total += w * areaMatch(area, offer.controlAreas);
    weight += w;
  });
  return total / weight;
}

/** Share of the offer's areas the need uses (areaMatch of each against the need's areas). */
export function areaPrecision(
  need: Pick<NeedFacts, 'controlAreas'>,
  offer: Pick<OfferFacts, 'controlAreas'>,
): number {
  if (!offer.controlAreas.length) return 0;
  let total = 0;
  for (const area of offer.controlAreas) total += areaMatch(area, need.controlAreas);
  return total / offer.controlAreas.length;
}

/** Control areas: the need's coverage by the offer, lowered for an offer broader than the need. */
export function areasComponent(
  need: Pick<NeedFacts, 'controlAreas'>,
  offer: Pick<OfferFacts, 'controlAreas'>,
  breadth: number,
): number {
  const coverage = areaCoverage(need, offer);
  if (coverage === 0) return 0;
  return withBreadth(coverage, areaPrecision(need, offer), breadth);
}

/**
 * Assistance types: the share of the need's types the offer provides, lowered for an offer
 * providing many types the need does not ask for.
 */
export function typesComponent(
  need: Pick<NeedFacts, 'assistanceTypes'>,
  offer: Pick<OfferFacts, 'assistanceTypes'>,
  breadth: number,
): number {
  if (!need.assistanceTypes.length) return 0;
  const shared = need.assistanceTypes.filter((t) => offer.assistanceTypes.includes(t)).length;
  if (shared === 0) return 0;
  const offerTypes = new Set(offer.assistanceTypes);
  let used = 0;
  for (const t of offerTypes) if (need.assistanceTypes.includes(t)) used++;
  return withBreadth(shared / need.assistanceTypes.length, used / offerTypes.size, breadth);
}

/** 1 when the uncovered cost fits the per-project range and the envelope; less as it exceeds them. */
export function budgetComponent(
  need: Pick<NeedFacts, 'uncoveredUsd'>,
  offer: Pick<OfferFacts, 'minPerProjectUsd' | 'maxPerProjectUsd' | 'remainingUsd'>,
): number {
  const cost = need.uncoveredUsd;
  if (cost <= 0) return 0;
  if (offer.minPerProjectUsd !== null && cost < offer.minPerProjectUsd) return 0;
  const rangeFit =
    offer.maxPerProjectUsd !== null && cost > offer.maxPerProjectUsd
      ? offer.maxPerProjectUsd / cost
      : 1;
  const envelopeFit = cost > offer.remainingUsd ? Math.max(offer.remainingUsd, 0) / cost : 1;
  return Math.min(rangeFit, envelopeFit);
}

/** Share of the need's window (earliest start, or today, to needed-by) that the offer covers. */
export function timingComponent(
  need: Pick<NeedFacts, 'earliestStart' | 'neededBy'>,
  offer: Pick<OfferFacts, 'startDate' | 'endDate'>,
  today: string,
): number {
  const end = Date.parse(need.neededBy);
  const start = Math.min(Date.parse(need.earliestStart ?? today), end);
  const from = Math.max(start, Date.parse(offer.startDate));
  const to = Math.min(end, Date.parse(offer.endDate));
  if (to < from) return 0;
  return (Math.round((to - from) / DAY) + 1) / (Math.round((end - start) / DAY) + 1);
}

export function languageComponent(
  need: Pick<NeedFacts, 'language'>,
  offer: Pick<OfferFacts, 'languages'>,
): number {
  return offer.languages.includes(need.language) ? 1 : 0;
}

const PRIORITY = { high: 1, medium: 0.6, low: 0.3 } as const;

/** Declared priority, blended with the rank in the National Action Plan where there is one. */
export function priorityComponent(need: Pick<NeedFacts, 'priority' | 'planRank'>): number {
  const p = PRIORITY[need.priority];
  return need.planRank ? 0.7 * p + 0.3 / Math.sqrt(need.planRank) : p;
}

/** 1 when the donor already committed to this State, 0.5 to its sub-region, else 0. */
export function engagementComponent(
  need: Pick<NeedFacts, 'state' | 'stateSubRegion'>,
  prior: PriorEngagement | undefined,
): number {
  if (prior?.states.has(need.state)) return 1;
  if (prior?.subRegions.has(need.stateSubRegion)) return 0.5;
  return 0;
}

export interface Scored {
  score: number;
  components: Components;
}

/**
 * Weighted sum of the components other than text (weights sum to 1), then text relevance
 * may only raise it: score = (1 − wₜ)·base + wₜ·max(base, text). A French need is never
 * penalised against an English offer for sharing no words: the taxonomy carries meaning
 * across languages, text only adds.
 */
export function scorePair(
  need: NeedFacts,
  offer: OfferFacts,
  weights: ScoreWeights,
  options: {
    today: string;
    prior?: PriorEngagement;
    needTerms?: Set<string>;
    offerTerms?: Set<string>;
  },
): Scored {
  const components: Components = {
    areas: areasComponent(need, offer, weights.breadth),
    types: typesComponent(need, offer, weights.breadth),
    budget: budgetComponent(need, offer),
    timing: timingComponent(need, offer, options.today),
    language: languageComponent(need, offer),
    priority: priorityComponent(need),
    engagement: engagementComponent(need, options.prior),
    text: textRelevance(
      options.needTerms ?? terms(`${need.title} ${need.description}`, need.language),
      options.offerTerms ?? terms(`${offer.title} ${offer.description}`, need.language),
    ),
  };
  const base =
    weights.areas * components.areas +
    weights.types * components.types +
    weights.budget * components.budget +
    weights.timing * components.timing +
    weights.language * components.language +
    weights.priority * components.priority +
    weights.engagement * components.engagement;
  const score = (1 - weights.text) * base + weights.text * Math.max(base, components.text);
  const rounded = Object.fromEntries(
    Object.entries(components).map(([k, v]) => [k, round(v)]),
  ) as Components;
  return { score: round(Math.min(1, Math.max(0, score))), components: rounded };
}
