/**
 * Checks a proposed allocation against every constraint, from the plain facts (needs' uncovered
 * cost, offers' remaining envelopes, eligible pairs with their per-project limits, floors),
 * without any solver or model code: tests use it on random instances and on the API's output.
 * Amounts are integer cents. Upper limits are exact; lower limits of floors allow one cent per
 * assignment counted (amounts are rounded to cents after the solve).
 */

export interface CheckNeed {
  id: string;
  uncoveredCents: number;
}
export interface CheckOffer {
  id: string;
  remainingCents: number;
}
export interface CheckPair {
  needId: string;
  offerId: string;
  /** Per-project maximum still available on this pair; null: none. */
  maxCents: number | null;
  /** Minimum of a funded project (integer version); 0: none. */
  minCents: number;
}
export interface CheckFloor {
  label: string;
  needIds: string[];
  minCents?: number;
  minShare?: number;
}
export interface CheckAssignment {
  needId: string;
  offerId: string;
  amountCents: number;
}

export interface CheckInput {
  needs: CheckNeed[];
  offers: CheckOffer[];
  pairs: CheckPair[];
  floors?: CheckFloor[];
  integer: boolean;
}

export type ConstraintName =
  | 'positive_amount'
  | 'whole_cents'
  | 'eligible_pair'
  | 'single_row_per_pair'
  | 'need_uncovered'
  | 'offer_budget'
  | 'per_project_max'
  | 'per_project_min'
  | 'fairness_floor';

export interface Violation {
  constraint: ConstraintName;
  subject: string;
  message: string;
}

export function checkAllocation(input: CheckInput, assignments: CheckAssignment[]): Violation[] {
  const violations: Violation[] = [];
  const fail = (constraint: ConstraintName, subject: string, message: string) =>
    violations.push({ constraint, subject, message });
  const needs = new Map(input.needs.map((n) => [n.id, n]));
  const offers = new Map(input.offers.map((o) => [o.id, o]));
  const pairs = new Map(input.pairs.map((p) => [`${p.needId}|${p.offerId}`, p]));
  const perNeed = new Map<string, number>();
  const perOffer = new Map<string, number>();
  const seen = new Set<string>();
  let total = 0;

  for (const a of assignments) {
    const key = `${a.needId}|${a.offerId}`;
    if (!(a.amountCents > 0)) fail('positive_amount', key, `amount ${a.amountCents} is not > 0`);
    if (!Number.isInteger(a.amountCents)) {
      fail('whole_cents', key, `amount ${a.amountCents} is not a whole number of cents`);
    }
    if (seen.has(key)) fail('single_row_per_pair', key, 'the pair appears twice');
    seen.add(key);
    const pair = pairs.get(key);
    if (!pair || !needs.has(a.needId) || !offers.has(a.offerId)) {
      fail('eligible_pair', key, 'not an eligible pair of an open need and an active offer');
      continue;
    }
    if (pair.maxCents !== null && a.amountCents > pair.maxCents) {
      fail('per_project_max', key, `${a.amountCents} > per-project maximum ${pair.maxCents}`);
    }
    if (input.integer && a.amountCents < pair.minCents) {
      fail('per_project_min', key, `${a.amountCents} < per-project minimum ${pair.minCents}`);
    }
    perNeed.set(a.needId, (perNeed.get(a.needId) ?? 0) + a.amountCents);
    perOffer.set(a.offerId, (perOffer.get(a.offerId) ?? 0) + a.amountCents);
    total += a.amountCents;
  }
  for (const [id, sum] of perNeed) {
    const limit = needs.get(id)!.uncoveredCents;
    if (sum > limit) fail('need_uncovered', id, `${sum} proposed > uncovered ${limit}`);
  }
  for (const [id, sum] of perOffer) {
    const limit = offers.get(id)!.remainingCents;
    if (sum > limit) fail('offer_budget', id, `${sum} proposed > remaining ${limit}`);
  }
  for (const floor of input.floors ?? []) {
    const members = new Set(floor.needIds);
    const inGroup = assignments.filter((a) => members.has(a.needId));
    const sum = inGroup.reduce((s, a) => s + a.amountCents, 0);
    const slack = inGroup.length; // one cent of rounding per assignment
    if (floor.minCents !== undefined && sum + slack < floor.minCents) {
      fail('fairness_floor', floor.label, `${sum} proposed < floor ${floor.minCents}`);
    }
    if (floor.minShare !== undefined && sum + slack < floor.minShare * total) {
      fail(
        'fairness_floor',
        floor.label,
        `${sum} proposed < ${floor.minShare} of the total ${total}`,
      );
    }
  }
  return violations;
}
