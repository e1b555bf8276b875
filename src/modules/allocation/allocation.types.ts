import type { Normalisation, Priority, PriorityWeights } from './model/problem';
import type { BindingConstraint } from './model/solution';

/** A request's parameters, normalised (codes in their stored form), as stored on the run. */
export interface AllocationParams {
  scope: {
    /** M49 code. */
    region?: string;
    group?: string;
    /** ISO alpha-3. */
    state?: string;
    controlArea?: string;
    offerIds?: string[];
  };
  weights: PriorityWeights;
  normalisation: Normalisation;
  integer: boolean;
  timeLimitSeconds: number;
  mipRelGap: number;
  floors: { kind: 'region' | 'group'; code: string; minUsd?: number; minShare?: number }[];
}

export interface AssignmentRow {
  needId: string;
  offerId: string;
  amountUsd: number;
  score: number;
  priority: Priority;
  reason: {
    score: number;
    priority: Priority;
    /** The priority's weight in the objective. */
    weight: number;
    /** Objective value per USD of this pair (weight × score ÷ normalisation base). */
    valuePerUsd: number;
    bindingConstraints: BindingConstraint[];
  };
}

/** A need of the scope as it stood when the model was built (kept for needs given something). */
export interface NeedSnapshot {
  needId: string;
  priority: Priority;
  estimatedUsd: number;
  coveredUsd: number;
  uncoveredUsd: number;
  proposedUsd: number;
}

export interface RunStats {
  needs: number;
  offers: number;
  pairs: number;
  uncoveredUsd: number;
  remainingUsd: number;
  proposedUsd: number;
  needsGivenSomething: number;
  needsFullyCovered: number;
  greedy: {
    objective: number;
    seconds: number;
    proposedUsd: number;
    meetsFloors: boolean;
    /** The greedy baseline's USD per need id and per offer id (those it gives something). */
    perNeed: Record<string, number>;
    perOffer: Record<string, number>;
  };
  lp: { status: string; objective: number; seconds: number; rounds: number; columns: number };
  mip: {
    status: string;
    objective: number;
    bound: number;
    gap: number;
    seconds: number;
    scope: 'full' | 'restricted';
    columns: number;
    binaries: number;
  } | null;
  modelSeconds: number;
}

export interface RunError {
  code: 'INFEASIBLE_FLOORS' | 'SOLVER_FAILED' | 'FAILED';
  message: string;
  floors?: {
    floor: string;
    minUsd: number | null;
    minShare: number | null;
    maxAchievableUsd: number | null;
    reason: 'alone' | 'jointly';
  }[];
}
