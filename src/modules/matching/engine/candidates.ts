import { checkEligibility, stateEligible } from './eligibility';
import {
  baseFromColumns,
  baseInto,
  baseParts,
  columnsFit,
  OfferColumns,
  finishScore,
  partyCount,
  PARTS_STRIDE,
  partsAt,
  PreparedNeed,
  PreparedOffer,
  prepareNeed,
  upperBound,
} from './prepared';
import { engagementComponent, type Scored } from './score';
import type { NeedFacts, PriorEngagement, ScoreWeights } from './types';

/**
 * Candidate generation without scoring every pair.
 *
 * The offer index holds the offers that can match at all (active, money left) and, as
 * bitsets over their slots, which offers each State may receive (regions at every level,
 * group, named countries, exclusions: the `state_eligible` rule evaluated once per State),
 * which offers provide each assistance type, and which touch each control-area series.
 *
 * Why this returns exactly the top K of scoring every pair:
 *  - A pair is in a top K only if it is eligible. `state_eligible` and
 *    `assistance_type_shared` are the bitsets (state ∧ ⋃types); `offer_active` and
 *    `envelope_left` are index membership; `need_open` is checked per need; the windows and
 *    the per-project minimum are checked per candidate. So the candidates are exactly the
 *    eligible pairs: nothing else can be kept, and nothing eligible is missed.
 *  - Sharing a control area is not a rule: an eligible pair with no shared area can still
 *    score up to (1−wₜ)·(1−w_areas)+wₜ (0.70 with the default weights), well above the
 *    minimum score. Such offers form tier B (no series in common) and are not dropped: they
 *    are scored whenever that bound could still reach the need's K-th score (or, in a full
 *    re-match, the K-th score an offer already has: `OfferSideTracker`).
 *  - Of the candidates, text relevance (the costly part) is computed only for pairs whose
 *    upper bound (1−wₜ)·base+wₜ can reach the threshold. The threshold is a proven lower
 *    bound of the final K-th score: the K best bases among the candidates each score at least
 *    their base, so the K-th best score is at least the K-th best base. Scores and bounds
 *    are both rounded to 4 decimals (monotonic), and a pair is skipped only when its bound is
 *    strictly below, so ties (broken by id) are never lost.
 */

export interface CountryInfo {
  alpha3: string;
  /** Region, sub-region and intermediate region codes. */
  regions: string[];
  group: string | null;
}

type Bits = Uint32Array;

const DAY = 86_400_000;

function setBit(bits: Bits, i: number) {
  bits[i >>> 5] |= 1 << (i & 31);
}
function clearBit(bits: Bits, i: number) {
  bits[i >>> 5] &= ~(1 << (i & 31));
}
function grow(bits: Bits, words: number): Bits {
  const out = new Uint32Array(words);
  out.set(bits);
  return out;
}

export interface TopPair {
  offer: PreparedOffer;
  slot: number;
  scored: Scored;
}

export interface TopOptions {
  k: number;
  minScore: number;
  weights: ScoreWeights;
  todayMs: number;
  prior: (partyId: string) => PriorEngagement | undefined;
  /** In a full re-match: the offers' own top K, so that pairs an offer needs are scored too. */
  offerSide?: OfferSideTracker;
  /**
   * Bases only (`seedFloors`): called with each pair sharing a control-area series, whose base
   * is then computed; nothing is scored and no top is returned.
   */
  onBase?: (slot: number, base: number) => void;
}

export interface TopResult {
  top: TopPair[];
  /** Eligible pairs whose base was computed. */
  considered: number;
  /** Pairs scored in full (text included). */
  scored: number;
}

export interface RankedNeed {
  id: string;
  score: number;
}

/** Sorted by score desc, then id asc: the order the service ranks by. */
function better(a: { score: number; id: string }, b: { score: number; id: string }): boolean {
  return a.score > b.score || (a.score === b.score && a.id < b.id);
}

/**
 * The offers' side of a full re-match: per offer, the best K needs seen so far (in this
 * process, plus a floor read from the shared store at the start), so that a need chunk knows
 * which of its pairs could still enter an offer's top K and must therefore be scored.
 */
export class OfferSideTracker {
  readonly floors: Float64Array;
  /** Offers whose floor is still low enough for a no-shared-area pair (tier B) to matter. */
  readonly hungry: Uint32Array;
  readonly heaps = new Map<string, (RankedNeed & { drained?: boolean })[]>();
  readonly changed = new Set<string>();
  private readonly tierBMax: number;

  constructor(
    private readonly index: OfferIndex,
    private readonly k: number,
    private readonly minScore: number,
    weights: ScoreWeights,
    initialFloors: Map<string, number> = new Map(),
  ) {
    this.floors = new Float64Array(index.capacity).fill(minScore);
    // Every slot starts hungry, free ones too (an offer indexed later has no floor yet).
    this.hungry = new Uint32Array(index.capacity >>> 5).fill(0xffffffff);
    this.tierBMax = upperBound(tierBBase(weights, 1), weights);
    index.forEachSlot((slot, offer) => {
      const floor = Math.max(minScore, initialFloors.get(offer.facts.id) ?? minScore);
      this.floors[slot] = floor;
      if (floor > this.tierBMax) clearBit(this.hungry, slot);
    });
  }

  /**
   * Raises offers' floors to their K-th score over every chunk so far (as the shared store
   * returns them): fewer pairs to score and to send for offers other chunks filled meanwhile.
   */
  raiseFloors(floors: Map<string, number>): void {
    for (const [offerId, floor] of floors) {
      const slot = this.index.slot(offerId);
      if (slot === undefined || slot >= this.floors.length || floor <= this.floors[slot]) continue;
      this.floors[slot] = floor;
      if (floor > this.tierBMax) clearBit(this.hungry, slot);
    }
  }

  floor(slot: number): number {
    return slot < this.floors.length ? this.floors[slot] : this.minScore;
  }

  /** Records an eligible pair scoring at least the minimum for the offer's side. */
  add(slot: number, offerId: string, needId: string, score: number): void {
    // Below the offer's floor (the minimum score, or its K-th score over needs already seen
    // here or by other chunks), a need cannot enter its top: the K-th only rises. A tie may
    // (ids break ties).
    if (score < this.floor(slot)) return;
    let heap = this.heaps.get(offerId);
    if (!heap) this.heaps.set(offerId, (heap = []));
    const entry = { id: needId, score };
    if (heap.length >= this.k && !better(entry, heap[heap.length - 1])) return;
    let i = heap.length;
    while (i > 0 && better(entry, heap[i - 1])) i--;
    heap.splice(i, 0, entry);
    if (heap.length > this.k) heap.pop();
    this.changed.add(offerId);
    if (heap.length >= this.k && slot < this.floors.length) {
      const kth = heap[heap.length - 1].score;
      if (kth > this.floors[slot]) {
        this.floors[slot] = kth;
        if (kth > this.tierBMax) clearBit(this.hungry, slot);
      }
    }
  }

  /**
   * The offers whose top changed since the last call, with the entries of their top not
   * returned before. Merged into the shared store (which keeps each offer's best K of all it
   * was given), that gives the same tops as the whole heaps: an entry a later one pushed out
   * before a drain is not in the best K anyway.
   */
  drain(): [string, RankedNeed[]][] {
    const out: [string, RankedNeed[]][] = [];
    for (const id of this.changed) {
      const fresh: RankedNeed[] = [];
      for (const e of this.heaps.get(id)!) {
        if (e.drained) continue;
        e.drained = true;
        // The entry itself (read, never kept, by the caller): no copy per entry sent.
        fresh.push(e);
      }
      if (fresh.length) out.push([id, fresh]);
    }
    this.changed.clear();
    return out;
  }
}

/** The largest base a pair can have without sharing any control-area series. */
function tierBBase(w: ScoreWeights, priority: number): number {
  return (
    w.areas * 0 +
    w.types * 1 +
    w.budget * 1 +
    w.timing * 1 +
    w.language * 1 +
    w.priority * priority +
    w.engagement * 1
  );
}

export class OfferIndex {
  private slots: (PreparedOffer | null)[] = [];
  private readonly slotOf = new Map<string, number>();
  private words = 4;
  private live: Bits = new Uint32Array(4);
  /** The offers' numbers by slot, for computing base parts without their objects. */
  private cols = new OfferColumns(4 * 32);
  private readonly stateBits = new Map<string, Bits>();
  private readonly typeBits = new Map<string, Bits>();
  private readonly seriesBits = new Map<string, Bits>();
  private readonly countries: CountryInfo[];

  constructor(countries: CountryInfo[]) {
    this.countries = countries;
    for (const c of countries) this.stateBits.set(c.alpha3, new Uint32Array(this.words));
  }

  get capacity(): number {
    return this.words * 32;
  }

  get size(): number {
    return this.slotOf.size;
  }

  /** The slot an indexed offer holds. */
  slot(offerId: string): number | undefined {
    return this.slotOf.get(offerId);
  }

  get(offerId: string): PreparedOffer | undefined {
    const slot = this.slotOf.get(offerId);
    return slot === undefined ? undefined : (this.slots[slot] ?? undefined);
  }

  offers(): PreparedOffer[] {
    return this.slots.filter((o): o is PreparedOffer => o !== null);
  }

  forEachSlot(fn: (slot: number, offer: PreparedOffer) => void): void {
    this.slots.forEach((o, slot) => o && fn(slot, o));
  }

  /** Whether an offer can match at all (the index only holds those). */
  static indexable(offer: PreparedOffer): boolean {
    return offer.facts.status === 'active' && offer.facts.remainingUsd > 0;
  }

  /** Adds or replaces an offer; one that cannot match (paused, exhausted) is removed. */
  upsert(offer: PreparedOffer): void {
    if (!OfferIndex.indexable(offer)) return this.remove(offer.facts.id);
    let slot = this.slotOf.get(offer.facts.id);
    if (slot === undefined) {
      slot = this.slots.length;
      this.slots.push(offer);
      this.slotOf.set(offer.facts.id, slot);
      if (slot >= this.capacity) this.resize(this.words * 2);
    } else {
      this.clearSlot(slot);
      this.slots[slot] = offer;
    }
    setBit(this.live, slot);
    this.cols.set(slot, offer);
    const f = offer.facts;
    for (const c of this.countries) {
      if (stateEligible({ state: c.alpha3, stateRegions: c.regions, stateGroup: c.group }, f))
        setBit(this.stateBits.get(c.alpha3)!, slot);
    }
    for (const t of offer.typeSet) setBit(this.bitsFor(this.typeBits, t), slot);
    for (const s of offer.seriesSet) setBit(this.bitsFor(this.seriesBits, s), slot);
  }

  remove(offerId: string): void {
    const slot = this.slotOf.get(offerId);
    if (slot === undefined) return;
    this.clearSlot(slot);
    this.slots[slot] = null;
    this.slotOf.delete(offerId);
  }

  /** Packs the slots again once many were freed (call when no tracker is in use). */
  compact(): void {
    if (this.slotOf.size * 2 >= this.slots.length) return;
    const offers = this.offers();
    this.slots = [];
    this.slotOf.clear();
    this.live.fill(0);
    for (const b of [
      ...this.stateBits.values(),
      ...this.typeBits.values(),
      ...this.seriesBits.values(),
    ])
      b.fill(0);
    for (const o of offers) this.upsert(o);
  }

  private clearSlot(slot: number) {
    clearBit(this.live, slot);
    for (const b of this.stateBits.values()) clearBit(b, slot);
    for (const b of this.typeBits.values()) clearBit(b, slot);
    for (const b of this.seriesBits.values()) clearBit(b, slot);
  }

  private bitsFor(map: Map<string, Bits>, key: string): Bits {
    let b = map.get(key);
    if (!b) map.set(key, (b = new Uint32Array(this.words)));
    return b;
  }

  private resize(words: number) {
    this.words = words;
    this.live = grow(this.live, words);
    this.cols = this.cols.grown(words * 32);
    for (const map of [this.stateBits, this.typeBits, this.seriesBits])
      for (const [k, b] of map) map.set(k, grow(b, words));
  }

  /** Engagement by donor number for the need being ranked, valid where stamped with `calls`. */
  private engagement = new Float64Array(64);
  /** The need's numbers baseFromColumns reads: start, span, then the donor's engagement. */
  private readonly baseEnv = new Float64Array(3);
  private engagementStamp = new Uint32Array(64);
  private calls = 0;

  /** Candidates of the need being ranked (topForNeed): slots, and base parts by stride. */
  private candSlots = new Int32Array(1024);
  private candParts = new Float64Array(1024 * PARTS_STRIDE);

  private growCandidates() {
    const slots = new Int32Array(this.candSlots.length * 2);
    slots.set(this.candSlots);
    const parts = new Float64Array(slots.length * PARTS_STRIDE);
    parts.set(this.candParts);
    this.candSlots = slots;
    this.candParts = parts;
  }

  /** The State's eligible offers (`state_eligible` over the live offers). */
  private stateOf(need: NeedFacts): Bits {
    const known = this.stateBits.get(need.state);
    if (known) return known;
    // A State missing from the reference list: evaluate the rule per offer.
    const bits = new Uint32Array(this.words);
    this.forEachSlot((slot, o) => {
      if (stateEligible(need, o.facts)) setBit(bits, slot);
    });
    return bits;
  }

  /**
   * The best K offers for a need, equal to ranking every eligible pair by score (desc) then
   * offer id (asc) and keeping those at or above the minimum score.
   */
  topForNeed(need: PreparedNeed, o: TopOptions): TopResult {
    const n = need.facts;
    const result: TopResult = { top: [], considered: 0, scored: 0 };
    if (n.status !== 'published' && n.status !== 'partially_covered') return result;
    const words = this.words;
    const state = this.stateOf(n);
    const types = new Uint32Array(words);
    for (const t of need.types) {
      const b = this.typeBits.get(t);
      if (b) for (let w = 0; w < words; w++) types[w] |= b[w];
    }
    const series = new Uint32Array(words);
    for (const s of need.series) {
      const b = this.seriesBits.get(s);
      if (b) for (let w = 0; w < words; w++) series[w] |= b[w];
    }
    // The candidates' slots and base parts (kept for the pairs then scored in full), in
    // buffers reused from need to need: no object per candidate.
    let count = 0;
    const kBest: number[] = []; // the K best bases, descending
    // engagementComponent(need, donor's prior) by donor: once per need and donor, in buffers
    // reused from need to need (a value counts when its stamp is this call's).
    if (this.engagement.length < partyCount()) {
      this.engagement = new Float64Array(partyCount() * 2);
      this.engagementStamp = new Uint32Array(partyCount() * 2);
    }
    const engagement = this.engagement;
    const stamp = this.engagementStamp;
    if (this.calls === 0xffffffff) {
      this.engagementStamp.fill(0);
      this.calls = 0;
    }
    const call = ++this.calls;
    const cols = this.cols;
    const fits = columnsFit(need);
    const end = need.endMs;
    const start = Math.min(need.earliestMs ?? o.todayMs, end);
    const span = Math.round((end - start) / DAY) + 1;
    const env = this.baseEnv;
    env[0] = start;
    env[1] = span;
    const visit = (slot: number) => {
      // windows_overlap and above_offer_minimum; the other rules are the bitsets. (No
      // minimum is NaN in the columns: the comparison is false.)
      if (cols.startMs[slot] > end) return;
      if (need.earliestMs !== null && cols.endMs[slot] < need.earliestMs) return;
      if (n.uncoveredUsd < cols.minPerProject[slot]) return;
      if (count === this.candSlots.length) this.growCandidates();
      const party = cols.party[slot];
      let eng = engagement[party];
      if (stamp[party] !== call) {
        engagement[party] = eng = engagementComponent(n, o.prior(this.slots[slot]!.facts.partyId));
        stamp[party] = call;
      }
      const at = count * PARTS_STRIDE;
      const parts = this.candParts;
      if (fits && cols.fast[slot] === 1) {
        env[2] = eng;
        baseFromColumns(need, cols, slot, o.weights, env, parts, at);
      } else baseInto(need, this.slots[slot]!, o.weights, o.todayMs, eng, parts, at);
      const base = parts[at + 7];
      if (o.onBase) return o.onBase(slot, base);
      this.candSlots[count++] = slot;
      if (kBest.length < o.k || base > kBest[kBest.length - 1]) {
        let i = kBest.length;
        while (i > 0 && base > kBest[i - 1]) i--;
        kBest.splice(i, 0, base);
        if (kBest.length > o.k) kBest.pop();
      }
    };
    const scan = (mask: (w: number) => number) => {
      for (let w = 0; w < words; w++) {
        let x = mask(w);
        while (x !== 0) {
          const low = x & -x;
          visit((w << 5) + 31 - Math.clz32(low));
          x ^= low;
        }
      }
    };
    const live = this.live;
    // Tier A: a control-area series in common.
    scan((w) => live[w] & state[w] & types[w] & series[w]);
    if (o.onBase) return result;
    const threshold = () =>
      kBest.length >= o.k
        ? Math.max(o.minScore, Math.round(kBest[o.k - 1] * 10_000) / 10_000)
        : o.minScore;
    // Tier B: no series in common; needed only if its bound can reach the threshold.
    const tierB = upperBound(tierBBase(o.weights, need.priority), o.weights);
    if (tierB >= threshold()) scan((w) => live[w] & state[w] & types[w] & ~series[w]);
    else if (o.offerSide) {
      const hungry = o.offerSide.hungry;
      scan(
        (w) => live[w] & state[w] & types[w] & ~series[w] & (w < hungry.length ? hungry[w] : ~0),
      );
    }
    result.considered = count;

    const top: (TopPair & { id: string; score: number })[] = [];
    const side = o.offerSide;
    const slots = this.candSlots;
    const parts = this.candParts;
    // The bases are all known now: the need's threshold only rises with its top from here.
    const thr = threshold();
    let needT = thr;
    const wt = o.weights.text;
    for (let i = 0; i < count; i++) {
      const base = parts[i * PARTS_STRIDE + 7];
      const slot = slots[i];
      // Scored if its bound reaches the need's threshold or the offer's floor (both at least
      // the minimum score). max(0, (1 − wₜ)·base + wₜ) is at least the bound before its
      // rounding to 4 decimals: more than 0.001 below the lower of the two, the bound is too.
      const low = side === undefined ? needT : Math.min(needT, side.floor(slot));
      if (Math.max(0, (1 - wt) * base + wt) < low - 0.001) continue;
      if (upperBound(base, o.weights) < low) continue;
      const offer = this.slots[slot]!;
      const scored = finishScore(partsAt(parts, i * PARTS_STRIDE), need, offer, o.weights);
      result.scored++;
      if (scored.score < o.minScore) continue;
      side?.add(slot, offer.facts.id, n.id, scored.score);
      const entry = { offer, slot, scored, id: offer.facts.id, score: scored.score };
      if (top.length >= o.k && !better(entry, top[top.length - 1])) continue;
      let j = top.length;
      while (j > 0 && better(entry, top[j - 1])) j--;
      top.splice(j, 0, entry);
      if (top.length > o.k) top.pop();
      if (top.length >= o.k) needT = Math.max(thr, top[o.k - 1].score);
    }
    result.top = top.map(({ offer, slot, scored }) => ({ offer, slot, scored }));
    return result;
  }
}

/**
 * Lower bounds of the offers' K-th scores over the open needs, from some of them (a full
 * re-match's floors before its first chunk: `OfferSideTracker`). A pair's score is at least
 * its base, since the text component enters as max(base, text): (1−wₜ)·base + wₜ·max(base,
 * text) ≥ base. So an offer's K-th best base over any K eligible needs (scores at or above
 * the minimum) is at most its K-th score over all open needs, the need's own pairs included.
 * Only pairs sharing a control-area series are visited (the best bases; any pairs give valid
 * bounds), and nothing is scored: a few per cent of a chunk's cost for a sample of needs.
 * Offers with fewer than K such pairs get no floor. Returned by offer id, at least the minimum
 * score, rounded down to 4 decimals and lowered by one step more (scores are rounded to 4
 * decimals; the weighted sum may round the other way in floating point).
 */
export function seedFloors(
  index: OfferIndex,
  needs: PreparedNeed[],
  o: Omit<TopOptions, 'offerSide' | 'onBase'>,
): Map<string, number> {
  const k = o.k;
  const capacity = index.capacity;
  // Per slot its K best bases so far (unordered), how many, and the lowest once there are K.
  const best = new Float64Array(capacity * k);
  const filled = new Int32Array(capacity);
  const lowest = new Float64Array(capacity).fill(-Infinity);
  const onBase = (slot: number, base: number) => {
    if (base < o.minScore) return;
    const at = slot * k;
    const n = filled[slot];
    if (n < k) {
      best[at + n] = base;
      filled[slot] = n + 1;
      if (n + 1 < k) return;
    } else {
      if (base <= lowest[slot]) return;
      let min = at;
      for (let i = at + 1; i < at + k; i++) if (best[i] < best[min]) min = i;
      best[min] = base;
    }
    let low = best[at];
    for (let i = at + 1; i < at + k; i++) if (best[i] < low) low = best[i];
    lowest[slot] = low;
  };
  const opts: TopOptions = { ...o, onBase };
  for (const need of needs) index.topForNeed(need, opts);
  const floors = new Map<string, number>();
  index.forEachSlot((slot, offer) => {
    if (filled[slot] < k) return;
    const floor = Math.floor(lowest[slot] * 10_000) / 10_000 - 0.0001;
    if (floor > o.minScore) floors.set(offer.facts.id, floor);
  });
  return floors;
}

/**
 * The reference: every pair checked against every rule and scored in full, then ranked.
 * Used by the tests and by the benchmark's naive baseline.
 */
export function naiveTopForNeed(
  needFacts: NeedFacts,
  offers: PreparedOffer[],
  o: Omit<TopOptions, 'offerSide'>,
): { id: string; score: number }[] {
  const need = prepareNeed(needFacts);
  const ranked: { id: string; score: number }[] = [];
  for (const offer of offers) {
    if (!checkEligibility(needFacts, offer.facts).eligible) continue;
    const scored = finishScore(
      baseParts(need, offer, o.weights, o.todayMs, o.prior(offer.facts.partyId)),
      need,
      offer,
      o.weights,
    );
    if (scored.score >= o.minScore) ranked.push({ id: offer.facts.id, score: scored.score });
  }
  ranked.sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return ranked.slice(0, o.k);
}
