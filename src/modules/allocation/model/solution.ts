import type { SolverInput } from './problem';

/**
 * A solver's amounts (cents, floating point) as whole cents that keep every upper limit
 * exactly: each amount rounded to the nearest cent and clipped to its pair's bound; amounts of
 * an integer answer within a cent of the minimum set to it; then any need or offer pushed
 * over its limit by rounding gives back the excess from its least valuable pairs.
 */
export function toCents(p: SolverInput, x: ArrayLike<number>, integer: boolean): Float64Array {
  const n = p.pairCoef.length;
  const cents = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    let c = Math.min(Math.round(x[k]), Math.floor(p.pairCap[k]));
    if (c < 1) c = 0;
    if (integer && c > 0 && c < p.pairMin[k]) c = c >= p.pairMin[k] - 1 ? p.pairMin[k] : 0;
    cents[k] = c;
  }
  const byLeastValue = (list: number[]) =>
    list.sort((a, b) => p.pairCoef[a] - p.pairCoef[b] || b - a);
  const repair = (groupOf: Int32Array, limits: Float64Array) => {
    const members: number[][] = Array.from({ length: limits.length }, () => []);
    const sums = new Float64Array(limits.length);
    for (let k = 0; k < n; k++) {
      if (!cents[k]) continue;
      members[groupOf[k]].push(k);
      sums[groupOf[k]] += cents[k];
    }
    for (let g = 0; g < limits.length; g++) {
      let excess = sums[g] - Math.floor(limits[g]);
      if (excess <= 0) continue;
      const list = byLeastValue(members[g]);
      for (const k of list) {
        if (excess <= 0) break;
        const keep = integer ? p.pairMin[k] : 0;
        const cut = Math.min(excess, cents[k] - keep);
        if (cut > 0) {
          cents[k] -= cut;
          excess -= cut;
        }
      }
      for (const k of list) {
        if (excess <= 0) break;
        excess -= cents[k];
        cents[k] = 0;
      }
    }
  };
  repair(p.pairNeed, p.needUpper);
  repair(p.pairOffer, p.offerUpper);
  return cents;
}

export type BindingConstraint =
  'offer_budget' | 'need_uncovered' | 'per_project_max' | 'per_project_min' | 'fairness_floor';

/** Within this many cents a limit counts as reached (rounding leaves a few cents at most). */
export const BINDING_SLACK_CENTS = 100;

/**
 * Why each funded pair got what it got: the limits it reached (its offer's envelope, its
 * need's uncovered cost, the offer's per-project maximum or minimum) and the floors of its
 * need's region or group that are exactly met.
 */
export function bindingConstraints(
  p: SolverInput,
  pairMax: Float64Array,
  cents: Float64Array,
  integer: boolean,
): BindingConstraint[][] {
  const n = p.pairCoef.length;
  const perNeed = new Float64Array(p.numNeeds);
  const perOffer = new Float64Array(p.numOffers);
  let total = 0;
  for (let k = 0; k < n; k++) {
    perNeed[p.pairNeed[k]] += cents[k];
    perOffer[p.pairOffer[k]] += cents[k];
    total += cents[k];
  }
  const tightFloors = p.floors.map((f) => {
    let sum = 0;
    for (let k = 0; k < n; k++) if (f.needMask[p.pairNeed[k]]) sum += cents[k];
    return (
      (f.minCents > 0 && sum <= f.minCents + BINDING_SLACK_CENTS) ||
      (f.minShare > 0 && sum <= f.minShare * total + BINDING_SLACK_CENTS)
    );
  });
  const result: BindingConstraint[][] = [];
  for (let k = 0; k < n; k++) {
    const reasons: BindingConstraint[] = [];
    if (cents[k] > 0) {
      const i = p.pairNeed[k];
      const j = p.pairOffer[k];
      if (perOffer[j] >= p.offerUpper[j] - BINDING_SLACK_CENTS) reasons.push('offer_budget');
      if (perNeed[i] >= p.needUpper[i] - BINDING_SLACK_CENTS) reasons.push('need_uncovered');
      if (!Number.isNaN(pairMax[k]) && cents[k] >= pairMax[k] - BINDING_SLACK_CENTS) {
        reasons.push('per_project_max');
      }
      if (integer && p.pairMin[k] > 0 && cents[k] <= p.pairMin[k] + BINDING_SLACK_CENTS) {
        reasons.push('per_project_min');
      }
      if (p.floors.some((f, r) => tightFloors[r] && f.needMask[i])) reasons.push('fairness_floor');
    }
    result.push(reasons);
  }
  return result;
}
