import type { NeedInput, OfferInput, PairInput, Priority, ProblemInput } from './problem';

/** A small, fast, seeded generator (mulberry32): the same seed gives the same instance. */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface InstanceShape {
  seed: number;
  needs: number;
  offers: number;
  /** Eligible offers per need, drawn uniformly in [min, max]. */
  minPairs: number;
  maxPairs: number;
  /** Total remaining envelopes ÷ total uncovered cost (below 1: demand exceeds supply). */
  supplyRatio: number;
  /** Smallest need cost, in USD. */
  minCostUsd?: number;
  /** Largest need cost ÷ smallest (costs are log-uniform in between). */
  costSpread?: number;
  /** Amounts are multiples of this many cents (1 kUSD = 100,000 for exact small tests). */
  unitCents?: number;
}

const COUNTRIES = ['SLE', 'LBR', 'NGA', 'KEN', 'PER', 'COL', 'PHL', 'KHM', 'BIH', 'UKR'];
const PRIORITY_SHARES: [Priority, number][] = [
  ['high', 0.3],
  ['medium', 0.45],
  ['low', 0.25],
];

/**
 * A synthetic world with the shape of the real one: log-uniform need costs, a fifth of the
 * needs partly covered already, priorities 30/45/25 % high/medium/low, offers whose envelopes
 * add up to `supplyRatio` of the demand, 70 % of them with a per-project maximum and half with
 * a minimum, and each need eligible with a random set of offers scored in [0.2, 1].
 */
export function generateInstance(shape: InstanceShape): ProblemInput {
  const r = seededRandom(shape.seed);
  const unit = shape.unitCents ?? 100;
  const roundUnit = (cents: number) => Math.max(unit, Math.round(cents / unit) * unit);
  const minCost = (shape.minCostUsd ?? 20_000) * 100;
  const spread = shape.costSpread ?? 100;
  const needs: NeedInput[] = [];
  let demand = 0;
  for (let i = 0; i < shape.needs; i++) {
    const costCents = roundUnit(minCost * Math.exp(r() * Math.log(spread)));
    const partly = r() < 0.2;
    const uncoveredCents = partly
      ? Math.min(costCents, roundUnit(costCents * (0.1 + 0.8 * r())))
      : costCents;
    let pick = r();
    let priority: Priority = 'low';
    for (const [p, share] of PRIORITY_SHARES) {
      if (pick < share) {
        priority = p;
        break;
      }
      pick -= share;
    }
    needs.push({
      id: `n${i}`,
      priority,
      costCents,
      uncoveredCents,
      countryCode: COUNTRIES[Math.floor(r() * COUNTRIES.length)],
    });
    demand += uncoveredCents;
  }
  const raw = Array.from({ length: shape.offers }, () => 0.2 + r() * 1.8);
  const rawSum = raw.reduce((a, b) => a + b, 0);
  const offers: OfferInput[] = raw.map((w, j) => ({
    id: `o${j}`,
    remainingCents: roundUnit((demand * shape.supplyRatio * w) / rawSum),
  }));
  const limits = offers.map((o) => {
    const max = r() < 0.7 ? roundUnit(Math.min(o.remainingCents, minCost * (2 + r() * 48))) : null;
    let min = r() < 0.5 ? roundUnit(minCost * (0.2 + r() * 1.5)) : 0;
    if (max !== null && min > max) min = max;
    return { max, min: Math.min(min, o.remainingCents) };
  });
  const pairs: PairInput[] = [];
  const k = Math.min(shape.offers, shape.maxPairs);
  for (let i = 0; i < shape.needs; i++) {
    const count = Math.min(k, shape.minPairs + Math.floor(r() * (k - shape.minPairs + 1)));
    const chosen = new Set<number>();
    while (chosen.size < count) chosen.add(Math.floor(r() * shape.offers));
    for (const j of chosen) {
      pairs.push({
        need: i,
        offer: j,
        score: Math.round((0.2 + 0.8 * r()) * 10_000) / 10_000,
        maxCents: limits[j].max,
        minCents: limits[j].min,
      });
    }
  }
  return { needs, offers, pairs };
}
