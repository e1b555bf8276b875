/**
 * The allocation problem, independent of the database: who could fund what, within which
 * limits, and what each USD is worth. Amounts are integer cents (exact); the solvers work in
 * thousands of USD for conditioning and convert back. See docs/ALLOCATION.md for the model.
 */

export const PRIORITIES = ['high', 'medium', 'low'] as const;
export type Priority = (typeof PRIORITIES)[number];

export interface PriorityWeights {
  high: number;
  medium: number;
  low: number;
}

/** A high-priority need weighs three times a low one, unless the request says otherwise. */
export const DEFAULT_PRIORITY_WEIGHTS: PriorityWeights = { high: 3, medium: 2, low: 1 };

/**
 * How a USD covered is valued: `need_cost` divides by the need's estimated cost (covering a
 * need fully is worth its weight × score, whatever its size); `usd` counts every USD alike
 * (per million USD), which favours large needs.
 */
export const NORMALISATIONS = ['need_cost', 'usd'] as const;
export type Normalisation = (typeof NORMALISATIONS)[number];

/** Cents per unit the solvers work in (thousands of USD). */
export const CENTS_PER_SOLVER_UNIT = 100_000;
const CENTS_PER_MILLION_USD = 100_000_000;

export interface NeedInput {
  id: string;
  priority: Priority;
  /** The need's estimated cost (the normalisation base). */
  costCents: number;
  /** Estimated cost minus what is committed already. */
  uncoveredCents: number;
  countryCode: string;
}

export interface OfferInput {
  id: string;
  /** Total minus committed. */
  remainingCents: number;
}

export interface PairInput {
  need: number;
  offer: number;
  /** Match score in [0, 1]. */
  score: number;
  /** Per-project maximum still available for this pair (already committed on it deducted); null: none. */
  maxCents: number | null;
  /** Per-project minimum for a new project on this pair (0: none, or already funded). */
  minCents: number;
}

/** A floor on the coverage proposed to the needs of one region or regional group. */
export interface FloorInput {
  kind: 'region' | 'group';
  code: string;
  /** Needs (by index) that belong to it. */
  needs: number[];
  /** At least this much proposed to its needs, in cents. */
  minCents?: number;
  /** At least this share of everything proposed (0..1). */
  minShare?: number;
}

export interface Floor extends FloorInput {
  label: string;
  needMask: Uint8Array;
}

export interface ProblemInput {
  needs: NeedInput[];
  offers: OfferInput[];
  pairs: PairInput[];
  floors?: FloorInput[];
  weights?: PriorityWeights;
  normalisation?: Normalisation;
}

/**
 * The model: per pair k (need i, offer j) the objective coefficient per cent
 * `coef[k] = weight(priority_i) · score_k / base_i`, and the pair's bound
 * `cap[k] = min(uncovered_i, remaining_j, maxPerProject_k)`.
 */
export interface AllocationProblem {
  needs: NeedInput[];
  offers: OfferInput[];
  weights: PriorityWeights;
  normalisation: Normalisation;
  floors: Floor[];
  pairNeed: Int32Array;
  pairOffer: Int32Array;
  pairScore: Float64Array;
  /** Objective per cent. */
  pairCoef: Float64Array;
  /** Upper bound in cents. */
  pairCap: Float64Array;
  /** Minimum of a funded pair in the integer version, cents (0: none). */
  pairMin: Float64Array;
  /** Per-project maximum (cents), NaN when the offer has none. */
  pairMax: Float64Array;
}

/** The numbers a solver needs (transferable to a worker thread). */
export interface SolverInput {
  numNeeds: number;
  numOffers: number;
  needUpper: Float64Array;
  offerUpper: Float64Array;
  pairNeed: Int32Array;
  pairOffer: Int32Array;
  pairCoef: Float64Array;
  pairCap: Float64Array;
  pairMin: Float64Array;
  floors: { label: string; minCents: number; minShare: number; needMask: Uint8Array }[];
}

export function floorLabel(f: Pick<FloorInput, 'kind' | 'code'>): string {
  return `${f.kind}:${f.code}`;
}

/** Builds the model from plain inputs; pairs that can carry nothing are left out. */
export function buildProblem(input: ProblemInput): AllocationProblem {
  const weights = input.weights ?? DEFAULT_PRIORITY_WEIGHTS;
  const normalisation = input.normalisation ?? 'need_cost';
  const kept = input.pairs.filter((p) => {
    const need = input.needs[p.need];
    const offer = input.offers[p.offer];
    if (!need || !offer) throw new Error(`pair refers to a missing need or offer`);
    const cap = Math.min(need.uncoveredCents, offer.remainingCents, p.maxCents ?? Infinity);
    return cap > 0 && p.score > 0 && weights[need.priority] > 0 && need.costCents > 0;
  });
  const n = kept.length;
  const problem: AllocationProblem = {
    needs: input.needs,
    offers: input.offers,
    weights,
    normalisation,
    floors: (input.floors ?? []).map((f) => {
      const needMask = new Uint8Array(input.needs.length);
      for (const i of f.needs) needMask[i] = 1;
      return { ...f, label: floorLabel(f), needMask };
    }),
    pairNeed: new Int32Array(n),
    pairOffer: new Int32Array(n),
    pairScore: new Float64Array(n),
    pairCoef: new Float64Array(n),
    pairCap: new Float64Array(n),
    pairMin: new Float64Array(n),
    pairMax: new Float64Array(n),
  };
  kept.forEach((p, k) => {
    const need = input.needs[p.need];
    const offer = input.offers[p.offer];
    const base = normalisation === 'need_cost' ? need.costCents : CENTS_PER_MILLION_USD;
    problem.pairNeed[k] = p.need;
    problem.pairOffer[k] = p.offer;
    problem.pairScore[k] = p.score;
    problem.pairCoef[k] = (weights[need.priority] * p.score) / base;
    problem.pairCap[k] = Math.min(
      need.uncoveredCents,
      offer.remainingCents,
      p.maxCents ?? Infinity,
    );
    problem.pairMin[k] = p.minCents;
    problem.pairMax[k] = p.maxCents ?? NaN;
  });
  return problem;
}

export function solverInput(p: AllocationProblem): SolverInput {
  return {
    numNeeds: p.needs.length,
    numOffers: p.offers.length,
    needUpper: Float64Array.from(p.needs, (n) => n.uncoveredCents),
    offerUpper: Float64Array.from(p.offers, (o) => o.remainingCents),
    pairNeed: p.pairNeed,
    pairOffer: p.pairOffer,
    pairCoef: p.pairCoef,
    pairCap: p.pairCap,
    pairMin: p.pairMin,
    floors: p.floors.map((f) => ({
      label: f.label,
      minCents: f.minCents ?? 0,
      minShare: f.minShare ?? 0,
      needMask: f.needMask,
    })),
  };
}

/** Σ coef · amount over the pairs (amounts in cents, one per pair). */
export function objectiveOf(p: Pick<SolverInput, 'pairCoef'>, amounts: ArrayLike<number>): number {
  let total = 0;
  for (let k = 0; k < p.pairCoef.length; k++) if (amounts[k]) total += p.pairCoef[k] * amounts[k];
  return total;
}

/** Whether a pair can be funded at all in the integer version (its minimum fits its bound). */
export function fundableWhole(p: Pick<SolverInput, 'pairCap' | 'pairMin'>, k: number): boolean {
  return p.pairMin[k] <= p.pairCap[k];
}
