import { checkEligibility, Eligibility } from './eligibility';
import {
  budgetComponent,
  engagementComponent,
  priorityComponent,
  seriesOf,
  withBreadth,
} from './score';
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

export interface AreaRef {
  code: string;
  series: string;
  isSeries: boolean;
  /** areaBit(code), areaBit(series): 0 when past the 32 codes bits are given to. */
  codeBit: number;
  seriesBit: number;
  /** The code's bit number (areaUse's index), -1 without one. */
  index: number;
}

export interface PreparedNeed {
  facts: NeedFacts;
  areas: (AreaRef & { weight: number })[];
  areaWeight: number;
  /** Every series (or platform code) the need's areas belong to. */
  series: string[];
  areaSet: Set<string>;
  seriesSet: Set<string>;
  /** The areas and their series as bits (areaBit), when every one has a bit (`areaBits`). */
  areaMask: number;
  seriesMask: number;
  areaBits: boolean;
  types: string[];
  typeSet: Set<string>;
  /** The types as bits (typeBits), or -1 when some have none or one is repeated. */
  typeMask: number;
  /** areaMatch(offer area, the need's areas) by offer area, filled as offers are scored. */
  areaUse: Map<string, number>;
  /** The same by the offer area's bit number (-1: not computed yet), on the bits path. */
  areaUseByBit: Float64Array;
  endMs: number;
  earliestMs: number | null;
  priority: number;
  terms: Set<string>;
  /** The language's bit (languageBits), or -1. */
  languageBit: number;
}

export interface PreparedOffer {
  facts: OfferFacts;
  version: number;
  /** The offer's areas in order (the need's side of areaMatch, for precision). */
  areas: AreaRef[];
  areaSet: Set<string>;
  /** seriesOf() of every area of the offer. */
  seriesSet: Set<string>;
  /** As the need's: the areas and their series as bits, when every one has a bit. */
  areaMask: number;
  seriesMask: number;
  areaBits: boolean;
  typeSet: Set<string>;
  /** The types as bits (typeBits), or -1 when some have none. */
  typeMask: number;
  languageSet: Set<string>;
  /** The languages as bits (languageBits), or -1. */
  languageMask: number;
  startMs: number;
  endMs: number;
  /** Text terms in each language a need has asked for so far. */
  termsByLanguage: Map<string, Set<string>>;
  /** The donor's number (partyIndex), for per-donor values held in arrays. */
  partyIndex: number;
}

/** A number per donor party, given as offers are prepared (bounded by the parties). */
const PARTY_INDEX = new Map<string, number>();

export function partyIndex(partyId: string): number {
  let i = PARTY_INDEX.get(partyId);
  if (i === undefined) PARTY_INDEX.set(partyId, (i = PARTY_INDEX.size));
  return i;
}

/** How many parties have a number so far. */
export const partyCount = () => PARTY_INDEX.size;

/** A bit per assistance type (there are 7; codes past the 31st get none: the slow path). */
const TYPE_BIT = new Map<string, number>();

function typeBits(codes: readonly string[]): number {
  let mask = 0;
  for (const code of codes) {
    let bit = TYPE_BIT.get(code);
    if (bit === undefined) {
      if (TYPE_BIT.size >= 31) return -1;
      TYPE_BIT.set(code, (bit = 1 << TYPE_BIT.size));
    }
    if (mask & bit) return -1; // repeated: counts differ from a set's
    mask |= bit;
  }
  return mask;
}

/**
 * A bit per control-area code and series (the taxonomy has 30 with the platform areas; codes
 * past the 32nd get none, and records using one take the slower path of sets).
 */
const AREA_BIT = new Map<string, number>();

function areaIndex(code: string): number {
  let i = AREA_BIT.get(code);
  if (i === undefined) {
    if (AREA_BIT.size >= 32) return -1;
    AREA_BIT.set(code, (i = AREA_BIT.size));
  }
  return i;
}

/** The area of each bit number (areaRef of its code), for the offer columns' area lists. */
const AREA_REFS: AreaRef[] = [];

function areaRef(code: string): AreaRef {
  const series = seriesOf(code);
  const index = areaIndex(code);
  const seriesIndex = areaIndex(series);
  const ref = {
    code,
    series,
    isSeries: isSeries(code),
    codeBit: index < 0 ? 0 : 1 << index,
    seriesBit: seriesIndex < 0 ? 0 : 1 << seriesIndex,
    index,
  };
  if (index >= 0 && seriesIndex >= 0) AREA_REFS[index] ??= ref;
  return ref;
}

/** A bit per language (the six UN languages, then any other; past the 31st: none, -1). */
const LANGUAGE_BIT = new Map<string, number>();

function languageBits(codes: readonly string[]): number {
  let mask = 0;
  for (const code of codes) {
    let bit = LANGUAGE_BIT.get(code);
    if (bit === undefined) {
      if (LANGUAGE_BIT.size >= 31) return -1;
      LANGUAGE_BIT.set(code, (bit = 1 << LANGUAGE_BIT.size));
    }
    mask |= bit;
  }
  return mask;
}

/** The areas' and their series' bits, and whether every one has a bit. */
function areaMasks(areas: AreaRef[]): { areaMask: number; seriesMask: number; areaBits: boolean } {
  let areaMask = 0;
  let seriesMask = 0;
  let areaBits = true;
  for (const a of areas) {
    if (a.codeBit === 0 || a.seriesBit === 0) areaBits = false;
    areaMask |= a.codeBit;
    seriesMask |= a.seriesBit;
  }
  return { areaMask, seriesMask, areaBits };
}

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff;
}

export function prepareNeed(facts: NeedFacts): PreparedNeed {
  const areas = facts.controlAreas.map((code, i) => ({
    ...areaRef(code),
    weight: i === 0 ? 2 : 1,
  }));
  return {
    facts,
    areas,
    areaWeight: areas.reduce((s, a) => s + a.weight, 0),
    series: [...new Set(areas.map((a) => a.series))],
    areaSet: new Set(facts.controlAreas),
    seriesSet: new Set(areas.map((a) => a.series)),
    ...areaMasks(areas),
    types: facts.assistanceTypes,
    typeSet: new Set(facts.assistanceTypes),
    typeMask: typeBits(facts.assistanceTypes),
    areaUse: new Map(),
    areaUseByBit: new Float64Array(32).fill(-1),
    endMs: Date.parse(facts.neededBy),
    earliestMs: facts.earliestStart === null ? null : Date.parse(facts.earliestStart),
    priority: priorityComponent(facts),
    terms: terms(`${facts.title} ${facts.description}`, facts.language),
    languageBit: languageBits([facts.language]),
  };
}

export function prepareOffer(facts: OfferFacts, version = 1): PreparedOffer {
  const areas = facts.controlAreas.map(areaRef);
  return {
    facts,
    version,
    areas,
    areaSet: new Set(facts.controlAreas),
    seriesSet: new Set(facts.controlAreas.map(seriesOf)),
    ...areaMasks(areas),
    typeSet: new Set(facts.assistanceTypes),
    typeMask: typeBits([...new Set(facts.assistanceTypes)]),
    languageSet: new Set(facts.languages),
    languageMask: languageBits(facts.languages),
    startMs: Date.parse(facts.startDate),
    endMs: Date.parse(facts.endDate),
    termsByLanguage: new Map(),
    partyIndex: partyIndex(facts.partyId),
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

/** Same as areaMatch(area, other's areas), on the other side's prepared sets. */
function areaMatchPrepared(
  area: AreaRef,
  other: { areaSet: Set<string>; seriesSet: Set<string> },
): number {
  if (other.areaSet.has(area.code)) return 1;
  if (!area.isSeries && other.areaSet.has(area.series)) return 0.8;
  if (area.isSeries && other.seriesSet.has(area.code)) return 0.8;
  if (area.series !== area.code && other.seriesSet.has(area.series)) return 0.4;
  return 0;
}

/** areaMatchPrepared() on the bits: the same tests, each a set's `has` as a bit. */
function areaMatchBits(area: AreaRef, areaMask: number, seriesMask: number): number {
  if ((areaMask & area.codeBit) !== 0) return 1;
  if (!area.isSeries && (areaMask & area.seriesBit) !== 0) return 0.8;
  if (area.isSeries && (seriesMask & area.codeBit) !== 0) return 0.8;
  if (area.series !== area.code && (seriesMask & area.seriesBit) !== 0) return 0.4;
  return 0;
}

/** The need's coverage (areasComponent's first part) by an offer with these masks. */
function coverageBits(need: PreparedNeed, areaMask: number, seriesMask: number): number {
  let total = 0;
  for (const a of need.areas) total += a.weight * areaMatchBits(a, areaMask, seriesMask);
  return total / need.areaWeight;
}

/** How much of the need an offer area (by its bit number) uses, memoised on the need. */
function areaUse(need: PreparedNeed, index: number): number {
  let use = need.areaUseByBit[index];
  if (use < 0)
    need.areaUseByBit[index] = use = areaMatchBits(
      AREA_REFS[index],
      need.areaMask,
      need.seriesMask,
    );
  return use;
}

/** areasComponent() on prepared records: same operations, same order. */
export function areasPrepared(need: PreparedNeed, offer: PreparedOffer, breadth: number): number {
  if (!need.areas.length) return 0;
  if (need.areaBits && offer.areaBits) {
    const coverage = coverageBits(need, offer.areaMask, offer.seriesMask);
    if (coverage === 0) return 0;
    let used = 0;
    for (const a of offer.areas) used += areaUse(need, a.index);
    return withBreadth(coverage, used / offer.areas.length, breadth);
  }
  let total = 0;
  for (const a of need.areas) total += a.weight * areaMatchPrepared(a, offer);
  const coverage = total / need.areaWeight;
  if (coverage === 0) return 0;
  let precision = 0;
  if (offer.areas.length) {
    let used = 0;
    for (const a of offer.areas) {
      let use = need.areaUse.get(a.code);
      if (use === undefined) need.areaUse.set(a.code, (use = areaMatchPrepared(a, need)));
      used += use;
    }
    precision = used / offer.areas.length;
  }
  return withBreadth(coverage, precision, breadth);
}

/** typesComponent() on prepared records. */
export function typesPrepared(need: PreparedNeed, offer: PreparedOffer, breadth: number): number {
  if (!need.types.length) return 0;
  if (need.typeMask >= 0 && offer.typeMask >= 0) {
    // Distinct types on both sides: the counts below, from the bits.
    const common = popcount(need.typeMask & offer.typeMask);
    if (common === 0) return 0;
    return withBreadth(common / need.types.length, common / popcount(offer.typeMask), breadth);
  }
  let shared = 0;
  for (const t of need.types) if (offer.typeSet.has(t)) shared++;
  if (shared === 0) return 0;
  let used = 0;
  for (const t of offer.typeSet) if (need.typeSet.has(t)) used++;
  return withBreadth(shared / need.types.length, used / offer.typeSet.size, breadth);
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

/** Numbers per pair in a buffer of base parts (`baseInto`): the seven components, then base. */
export const PARTS_STRIDE = 8;
const scratch = new Float64Array(PARTS_STRIDE);

/** The weighted sum of the components (scorePair's base), written after them into `buf`. */
function storeParts(
  weights: ScoreWeights,
  areas: number,
  types: number,
  budget: number,
  timing: number,
  language: number,
  priority: number,
  engagement: number,
  buf: Float64Array,
  at: number,
): number {
  const base =
    weights.areas * areas +
    weights.types * types +
    weights.budget * budget +
    weights.timing * timing +
    weights.language * language +
    weights.priority * priority +
    weights.engagement * engagement;
  buf[at] = areas;
  buf[at + 1] = types;
  buf[at + 2] = budget;
  buf[at + 3] = timing;
  buf[at + 4] = language;
  buf[at + 5] = priority;
  buf[at + 6] = engagement;
  buf[at + 7] = base;
  return base;
}

/**
 * The base parts of a pair written into `buf` from `at` (areas, types, budget, timing,
 * language, priority, engagement, base), returning the base: no object per pair, for
 * candidate generation, which computes them for many pairs and finishes few. `engagement`
 * is engagementComponent(need, the offer's donor's prior engagement), which candidate
 * generation computes once per need and donor.
 */
export function baseInto(
  need: PreparedNeed,
  offer: PreparedOffer,
  weights: ScoreWeights,
  todayMs: number,
  engagement: number,
  buf: Float64Array,
  at: number,
): number {
  const areas = areasPrepared(need, offer, weights.breadth);
  const types = typesPrepared(need, offer, weights.breadth);
  const budget = budgetComponent(need.facts, offer.facts);
  const end = need.endMs;
  const start = Math.min(need.earliestMs ?? todayMs, end);
  const from = Math.max(start, offer.startMs);
  const to = Math.min(end, offer.endMs);
  const timing =
    to < from ? 0 : (Math.round((to - from) / DAY) + 1) / (Math.round((end - start) / DAY) + 1);
  const language = offer.languageSet.has(need.facts.language) ? 1 : 0;
  return storeParts(
    weights,
    areas,
    types,
    budget,
    timing,
    language,
    need.priority,
    engagement,
    buf,
    at,
  );
}

/** Most areas an offer may have for its slot to be held in `OfferColumns`. */
export const COLUMN_AREAS = 8;

/**
 * What `baseInto` reads of an offer, one typed array per field indexed by the offer's slot
 * in the offer index: candidate generation reads these instead of the offers' objects and
 * sets (far fewer memory loads per candidate). `fast[slot]` is 0 when the offer needs the
 * objects' path (a code without a bit, more than COLUMN_AREAS areas).
 */
export class OfferColumns {
  fast: Uint8Array;
  startMs: Float64Array;
  endMs: Float64Array;
  /** NaN for none: every comparison with NaN is false, as `!== null &&` makes them. */
  minPerProject: Float64Array;
  maxPerProject: Float64Array;
  remaining: Float64Array;
  typeMask: Int32Array;
  typeCount: Int32Array;
  areaMask: Int32Array;
  seriesMask: Int32Array;
  areaCount: Int32Array;
  /** Bit numbers of the offer's areas in order, COLUMN_AREAS per slot. */
  areaIndex: Int32Array;
  languageMask: Int32Array;
  party: Int32Array;

  constructor(capacity: number) {
    this.fast = new Uint8Array(capacity);
    this.startMs = new Float64Array(capacity);
    this.endMs = new Float64Array(capacity);
    this.minPerProject = new Float64Array(capacity);
    this.maxPerProject = new Float64Array(capacity);
    this.remaining = new Float64Array(capacity);
    this.typeMask = new Int32Array(capacity);
    this.typeCount = new Int32Array(capacity);
    this.areaMask = new Int32Array(capacity);
    this.seriesMask = new Int32Array(capacity);
    this.areaCount = new Int32Array(capacity);
    this.areaIndex = new Int32Array(capacity * COLUMN_AREAS);
    this.languageMask = new Int32Array(capacity);
    this.party = new Int32Array(capacity);
  }

  /** The same columns with room for `capacity` slots. */
  grown(capacity: number): OfferColumns {
    const out = new OfferColumns(capacity);
    for (const key of Object.keys(this) as (keyof OfferColumns)[]) {
      const from = this[key];
      if (ArrayBuffer.isView(from)) (out[key] as typeof from).set(from as never);
    }
    return out;
  }

  set(slot: number, offer: PreparedOffer): void {
    const f = offer.facts;
    this.fast[slot] =
      offer.areaBits &&
      offer.typeMask >= 0 &&
      offer.languageMask >= 0 &&
      offer.areas.length <= COLUMN_AREAS
        ? 1
        : 0;
    this.startMs[slot] = offer.startMs;
    this.endMs[slot] = offer.endMs;
    this.minPerProject[slot] = f.minPerProjectUsd ?? NaN;
    this.maxPerProject[slot] = f.maxPerProjectUsd ?? NaN;
    this.remaining[slot] = f.remainingUsd;
    this.typeMask[slot] = offer.typeMask;
    this.typeCount[slot] = offer.typeMask >= 0 ? popcount(offer.typeMask) : 0;
    this.areaMask[slot] = offer.areaMask;
    this.seriesMask[slot] = offer.seriesMask;
    this.areaCount[slot] = Math.min(offer.areas.length, COLUMN_AREAS);
    for (let j = 0; j < COLUMN_AREAS; j++)
      this.areaIndex[slot * COLUMN_AREAS + j] = j < offer.areas.length ? offer.areas[j].index : -1;
    this.languageMask[slot] = offer.languageMask;
    this.party[slot] = offer.partyIndex;
  }
}

/** Whether a need's base parts can be computed from the offer columns. */
export function columnsFit(need: PreparedNeed): boolean {
  return need.areaBits && need.typeMask >= 0 && need.languageBit > 0;
}

/**
 * `baseInto` for the offer in `slot` of `cols` (`cols.fast[slot]` set, `columnsFit(need)`):
 * the very same operations on the very same values, read from the columns, written into `buf`
 * from `at` (the base at `at + 7`). `env` holds [start, span, engagement]: start is min(need's
 * earliest start or today, end) and span its window in days plus one, both as `baseInto`
 * computes them, and engagement as `baseInto` takes it. Doubles go in and out through typed
 * arrays: passed as arguments or returned by a call the compiler does not inline, each would
 * be a heap number allocated per candidate (~30 bytes of garbage per candidate, measured with
 * the sampling heap profiler).
 */
export function baseFromColumns(
  need: PreparedNeed,
  cols: OfferColumns,
  slot: number,
  weights: ScoreWeights,
  env: Float64Array,
  buf: Float64Array,
  at: number,
): void {
  const start = env[0];
  const span = env[1];
  const breadth = weights.breadth;
  // areas (areasPrepared, bits path)
  let areas = 0;
  if (need.areas.length) {
    const coverage = coverageBits(need, cols.areaMask[slot], cols.seriesMask[slot]);
    if (coverage !== 0) {
      let used = 0;
      const count = cols.areaCount[slot];
      const from = slot * COLUMN_AREAS;
      for (let j = 0; j < count; j++) used += areaUse(need, cols.areaIndex[from + j]);
      areas = withBreadth(coverage, used / count, breadth);
    }
  }
  // types (typesPrepared, bits path)
  let types = 0;
  if (need.types.length) {
    const common = popcount(need.typeMask & cols.typeMask[slot]);
    if (common !== 0)
      types = withBreadth(common / need.types.length, common / cols.typeCount[slot], breadth);
  }
  // budget (budgetComponent)
  let budget: number;
  const cost = need.facts.uncoveredUsd;
  if (cost <= 0) budget = 0;
  else if (cost < cols.minPerProject[slot]) budget = 0;
  else {
    const max = cols.maxPerProject[slot];
    const remaining = cols.remaining[slot];
    const rangeFit = cost > max ? max / cost : 1;
    const envelopeFit = cost > remaining ? Math.max(remaining, 0) / cost : 1;
    budget = Math.min(rangeFit, envelopeFit);
  }
  const end = need.endMs;
  const from = Math.max(start, cols.startMs[slot]);
  const to = Math.min(end, cols.endMs[slot]);
  const timing = to < from ? 0 : (Math.round((to - from) / DAY) + 1) / span;
  const language = (cols.languageMask[slot] & need.languageBit) !== 0 ? 1 : 0;
  storeParts(weights, areas, types, budget, timing, language, need.priority, env[2], buf, at);
}

/** The base parts `baseInto` wrote at `at` (doubles: the very same values). */
export function partsAt(buf: Float64Array, at: number): BaseParts {
  return {
    areas: buf[at],
    types: buf[at + 1],
    budget: buf[at + 2],
    timing: buf[at + 3],
    language: buf[at + 4],
    priority: buf[at + 5],
    engagement: buf[at + 6],
    base: buf[at + 7],
  };
}

export function baseParts(
  need: PreparedNeed,
  offer: PreparedOffer,
  weights: ScoreWeights,
  todayMs: number,
  prior: PriorEngagement | undefined,
): BaseParts {
  baseInto(need, offer, weights, todayMs, engagementComponent(need.facts, prior), scratch, 0);
  return partsAt(scratch, 0);
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
