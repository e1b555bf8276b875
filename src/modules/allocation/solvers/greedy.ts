import type { SolverInput } from '../model/problem';

/**
 * The baseline a coordinator could compute by hand: pairs by weighted score per USD (the
 * objective coefficient), highest first, each given as much as its need, its offer and its
 * per-project maximum still allow. In the integer version a pair whose amount would fall
 * below the offer's per-project minimum is skipped. Amount floors are served first, within
 * their region or group, in the same order; share floors are not pursued (the checker says
 * whether the result meets them). Exact in cents.
 */
export function greedyAllocation(
  p: SolverInput,
  integer: boolean,
  initial?: Float64Array,
): Float64Array {
  const n = p.pairCoef.length;
  const order = Array.from({ length: n }, (_, k) => k).sort(
    (a, b) => p.pairCoef[b] - p.pairCoef[a] || a - b,
  );
  const needLeft = Float64Array.from(p.needUpper);
  const offerLeft = Float64Array.from(p.offerUpper);
  const amounts = initial ? Float64Array.from(initial) : new Float64Array(n);
  for (let k = 0; k < n; k++) {
    needLeft[p.pairNeed[k]] -= amounts[k];
    offerLeft[p.pairOffer[k]] -= amounts[k];
  }

  const give = (k: number, limit = Infinity): number => {
    const i = p.pairNeed[k];
    const j = p.pairOffer[k];
    const room = Math.min(p.pairCap[k] - amounts[k], needLeft[i], offerLeft[j]);
    let amount = Math.min(room, limit);
    if (integer && amounts[k] === 0 && amount < p.pairMin[k]) {
      // Whole projects: the minimum or nothing; raise to the minimum when room allows.
      if (room < p.pairMin[k]) return 0;
      amount = p.pairMin[k];
    }
    if (amount <= 0) return 0;
    amounts[k] += amount;
    needLeft[i] -= amount;
    offerLeft[j] -= amount;
    return amount;
  };

  for (const floor of p.floors) {
    let missing = floor.minCents;
    for (let k = 0; k < n; k++) if (floor.needMask[p.pairNeed[k]]) missing -= amounts[k];
    for (const k of order) {
      if (missing <= 0) break;
      if (floor.needMask[p.pairNeed[k]]) missing -= give(k, missing);
    }
  }
  for (const k of order) give(k);
  return amounts;
}

/**
 * An integer answer from the LP's. Pairs the LP funds below their per-project minimum are
 * either all dropped, or each (most valuable first) raised to the minimum where its need and
 * offer still have room and dropped otherwise; in both, the room left is then filled greedily,
 * and the better of the two is kept. Used, with the greedy baseline, as the integer solver's
 * starting incumbent.
 */
export function roundLpToWholeProjects(p: SolverInput, lpCents: Float64Array): Float64Array {
  const below = (c: number, k: number) => c > 0 && c < p.pairMin[k];
  const dropped = greedyAllocation(
    p,
    true,
    Float64Array.from(lpCents, (c, k) => (below(c, k) ? 0 : c)),
  );
  const raised = Float64Array.from(lpCents, (c, k) => (below(c, k) ? 0 : c));
  const needLeft = Float64Array.from(p.needUpper);
  const offerLeft = Float64Array.from(p.offerUpper);
  for (let k = 0; k < raised.length; k++) {
    needLeft[p.pairNeed[k]] -= raised[k];
    offerLeft[p.pairOffer[k]] -= raised[k];
  }
  const candidates = [];
  for (let k = 0; k < lpCents.length; k++) if (below(lpCents[k], k)) candidates.push(k);
  candidates.sort((a, b) => p.pairCoef[b] - p.pairCoef[a] || a - b);
  for (const k of candidates) {
    const min = p.pairMin[k];
    const i = p.pairNeed[k];
    const j = p.pairOffer[k];
    if (min <= p.pairCap[k] && needLeft[i] >= min && offerLeft[j] >= min) {
      raised[k] = min;
      needLeft[i] -= min;
      offerLeft[j] -= min;
    }
  }
  const filled = greedyAllocation(p, true, raised);
  const value = (a: Float64Array) => a.reduce((s, c, k) => s + c * p.pairCoef[k], 0);
  return value(filled) > value(dropped) ? filled : dropped;
}

/** Whether an answer meets every floor (to the cent per assignment, as the checker counts). */
export function meetsFloors(p: SolverInput, cents: Float64Array): boolean {
  let total = 0;
  for (let k = 0; k < cents.length; k++) total += cents[k];
  return p.floors.every((f) => {
    let sum = 0;
    let count = 0;
    for (let k = 0; k < cents.length; k++) {
      if (cents[k] > 0 && f.needMask[p.pairNeed[k]]) {
        sum += cents[k];
        count += 1;
      }
    }
    return sum + count >= f.minCents && sum + count >= f.minShare * total;
  });
}
