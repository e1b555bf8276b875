import type { Highs } from 'highs';
import { objectiveOf, SolverInput } from '../model/problem';
import { toCents } from '../model/solution';
import { greedyAllocation, meetsFloors, roundLpToWholeProjects } from './greedy';
import {
  maxFloorCoverage,
  MipResult,
  relativeGap,
  solveLp,
  solveMip,
  SolveStatus,
} from './highs-solver';

export interface SolveOptions {
  integer: boolean;
  timeLimitSeconds: number;
  mipRelGap: number;
  siftAbove?: number;
  mipFullAbove?: number;
}

export interface InfeasibleFloor {
  label: string;
  minCents: number;
  minShare: number;
  /** The most its needs could get with every other floor dropped (null: share floors, always reachable alone). */
  maxCents: number | null;
  /** `alone`: this floor cannot be met; `jointly`: each can, not all together. */
  reason: 'alone' | 'jointly';
}

export interface SolveOutcome {
  status: 'succeeded' | 'infeasible' | 'failed';
  message?: string;
  infeasibleFloors?: InfeasibleFloor[];
  greedy: { cents: Float64Array; objective: number; seconds: number };
  lp: {
    status: SolveStatus;
    objective: number;
    cents: Float64Array;
    seconds: number;
    rounds: number;
    columns: number;
  };
  mip?: Omit<MipResult, 'x'> & { cents: Float64Array };
}

/**
 * Greedy, then the LP, then (when asked) the integer version, on the same input. Runs wherever
 * it is called: in a worker thread for the job (see solve-runner.ts), in-process in tests and
 * the benchmark. `onProgress` receives 0–100.
 */
export function runSolves(
  highs: Highs,
  input: SolverInput,
  options: SolveOptions,
  onProgress: (percent: number) => void = () => undefined,
): SolveOutcome {
  const t0 = performance.now();
  const greedyCents = greedyAllocation(input, options.integer);
  const greedy = {
    cents: greedyCents,
    objective: objectiveOf(input, greedyCents),
    seconds: (performance.now() - t0) / 1000,
  };
  onProgress(30);
  const lpSpan = options.integer ? 30 : 65;
  const lp = solveLp(highs, input, {
    timeLimitSeconds: options.timeLimitSeconds,
    siftAbove: options.siftAbove,
    onRound: (round) => onProgress(30 + Math.min(lpSpan - 1, round * 3)),
  });
  const lpOut = {
    status: lp.status,
    objective: lp.objective,
    cents: lp.status === 'optimal' ? toCents(input, lp.x, false) : new Float64Array(lp.x.length),
    seconds: lp.seconds,
    rounds: lp.rounds,
    columns: lp.columns,
  };
  onProgress(30 + lpSpan);
  if (lp.status === 'infeasible') {
    return {
      status: 'infeasible',
      message: 'The fairness floors cannot be met',
      infeasibleFloors: diagnoseFloors(highs, input),
      greedy,
      lp: lpOut,
    };
  }
  if (lp.status !== 'optimal') {
    return {
      status: 'failed',
      message:
        lp.status === 'time_limit'
          ? `The linear programme was not solved within ${options.timeLimitSeconds} s`
          : 'The linear programme could not be solved',
      greedy,
      lp: lpOut,
    };
  }
  if (!options.integer) return { status: 'succeeded', greedy, lp: lpOut };

  // The better of two integer answers starts the search: the greedy one and the LP's rounded.
  const rounded = roundLpToWholeProjects(input, lpOut.cents);
  const candidates = [greedyCents, rounded].filter((c) => meetsFloors(input, c));
  const start = candidates.length
    ? candidates.reduce((a, b) => (objectiveOf(input, b) > objectiveOf(input, a) ? b : a))
    : greedyCents;
  const mip = solveMip(highs, input, lp, start, {
    timeLimitSeconds: Math.max(1, options.timeLimitSeconds - lp.seconds),
    mipRelGap: options.mipRelGap,
    fullAbove: options.mipFullAbove,
  });
  onProgress(95);
  const { x, ...rest } = mip;
  if (!Number.isFinite(mip.objective)) {
    if (!candidates.length) {
      return {
        status: 'failed',
        message: `No integer answer meeting the floors was found within ${options.timeLimitSeconds} s`,
        greedy,
        lp: lpOut,
      };
    }
    // No answer from the solver within the limit: the starting one stands, gap to the LP bound.
    const objective = objectiveOf(input, start);
    return {
      status: 'succeeded',
      greedy,
      lp: lpOut,
      mip: { ...rest, objective, cents: start, gap: relativeGap(lp.objective, objective) },
    };
  }
  return {
    status: 'succeeded',
    greedy,
    lp: lpOut,
    mip: { ...rest, cents: toCents(input, x, true) },
  };
}

/** Which floors make the model infeasible: each alone, else all of them together. */
function diagnoseFloors(highs: Highs, input: SolverInput): InfeasibleFloor[] {
  const alone: InfeasibleFloor[] = [];
  input.floors.forEach((f, index) => {
    if (f.minCents <= 0) return;
    const max = maxFloorCoverage(highs, input, index);
    if (max < f.minCents) {
      alone.push({
        label: f.label,
        minCents: f.minCents,
        minShare: f.minShare,
        maxCents: max,
        reason: 'alone',
      });
    }
  });
  if (alone.length) return alone;
  return input.floors.map((f, index) => ({
    label: f.label,
    minCents: f.minCents,
    minShare: f.minShare,
    maxCents: f.minCents > 0 ? maxFloorCoverage(highs, input, index) : null,
    reason: 'jointly' as const,
  }));
}
