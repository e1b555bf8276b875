import type { Highs, Model } from 'highs';
import { CENTS_PER_SOLVER_UNIT, SolverInput } from '../model/problem';

/**
 * The linear programme and its integer version, solved with HiGHS (WebAssembly) through its
 * structured sparse API: the matrix goes in as typed arrays, so a model of 400,000 pairs costs
 * no text to write or parse (the CPLEX LP text of the same model, `lpText`, takes HiGHS ~8 s
 * just to read). Variables are thousands of USD; rows are
 *   needs      Σ_j x_ij ≤ uncovered_i
 *   offers     Σ_i x_ij ≤ remaining_j
 *   floors     Σ_{i∈g} x_ij ≥ min_g          (amount floor)
 *              Σ_{i∈g} x_ij − σ_g Σ x ≥ 0    (share floor)
 * and columns 0 ≤ x_ij ≤ cap_ij. See docs/ALLOCATION.md.
 */

export type SolveStatus = 'optimal' | 'infeasible' | 'time_limit' | 'failed';

export interface LpResult {
  status: SolveStatus;
  /** Optimal objective (solver units cancel: it is the objective of the model). */
  objective: number;
  /** Amount per pair in cents, unrounded. */
  x: Float64Array;
  seconds: number;
  /** Columns in the final restricted LP (all pairs when solved whole). */
  columns: number;
  /** Restricted solves (1 when solved whole). */
  rounds: number;
  /** Pairs that were columns of the final LP. */
  columnSet: Int32Array;
}

export interface MipResult {
  status: SolveStatus;
  objective: number;
  x: Float64Array;
  seconds: number;
  /** A proven upper bound on the integer optimum of the whole model. */
  bound: number;
  /** (bound − objective) / |objective|: how far from optimal the answer may be at most. */
  gap: number;
  /** `full`: every pair was a column; `restricted`: the LP's columns and the greedy's pairs. */
  scope: 'full' | 'restricted';
  columns: number;
  binaries: number;
}

export interface LpOptions {
  timeLimitSeconds: number;
  /** Solve whole below this many pairs; above it, price columns in (sifting). */
  siftAbove?: number;
  onRound?: (round: number) => void;
}

export interface MipOptions {
  timeLimitSeconds: number;
  mipRelGap: number;
  /** Solve the integer model over every pair up to this many pairs; above it, restricted. */
  fullAbove?: number;
}

const U = CENTS_PER_SOLVER_UNIT;
const INITIAL_PER_NEED = 3;
const ADDED_PER_NEED = 2;
const PRICING_TOLERANCE = 1e-7;
const DEFAULT_SIFT_ABOVE = 20_000;
const DEFAULT_MIP_FULL_ABOVE = 20_000;

interface FloorRow {
  floor: number;
  share: boolean;
  lower: number;
  sigma: number;
}

function floorRows(p: SolverInput): FloorRow[] {
  const rows: FloorRow[] = [];
  p.floors.forEach((f, floor) => {
    if (f.minCents > 0) rows.push({ floor, share: false, lower: f.minCents / U, sigma: 0 });
    if (f.minShare > 0) rows.push({ floor, share: true, lower: 0, sigma: f.minShare });
  });
  return rows;
}

function rowBounds(p: SolverInput, floors: FloorRow[], inf: number) {
  const rows = p.numNeeds + p.numOffers + floors.length;
  const lower = new Float64Array(rows).fill(-inf);
  const upper = new Float64Array(rows).fill(inf);
  for (let i = 0; i < p.numNeeds; i++) upper[i] = p.needUpper[i] / U;
  for (let j = 0; j < p.numOffers; j++) upper[p.numNeeds + j] = p.offerUpper[j] / U;
  floors.forEach((f, r) => (lower[p.numNeeds + p.numOffers + r] = f.lower));
  return { rows, lower, upper };
}

/** The coefficient of pair k in floor row f. */
function floorCoef(p: SolverInput, f: FloorRow, k: number): number {
  const member = p.floors[f.floor].needMask[p.pairNeed[k]] === 1;
  if (!f.share) return member ? 1 : 0;
  return (member ? 1 : 0) - f.sigma;
}

/** CSC columns for the given pairs (cost and bounds in solver units). */
function pairColumns(p: SolverInput, floors: FloorRow[], pairs: ArrayLike<number>, cap = true) {
  const count = pairs.length;
  const base = p.numNeeds + p.numOffers;
  const cost = new Float64Array(count);
  const lower = new Float64Array(count);
  const upper = new Float64Array(count);
  const starts = new Int32Array(count + 1);
  const indices: number[] = [];
  const values: number[] = [];
  for (let c = 0; c < count; c++) {
    const k = pairs[c];
    cost[c] = p.pairCoef[k] * U;
    upper[c] = cap ? p.pairCap[k] / U : 0;
    starts[c] = indices.length;
    indices.push(p.pairNeed[k], p.numNeeds + p.pairOffer[k]);
    values.push(1, 1);
    floors.forEach((f, r) => {
      const v = floorCoef(p, f, k);
      if (v !== 0) {
        indices.push(base + r);
        values.push(v);
      }
    });
  }
  starts[count] = indices.length;
  return {
    cost,
    lower,
    upper,
    starts,
    indices: Int32Array.from(indices),
    values: Float64Array.from(values),
  };
}

const STATUS: Record<number, SolveStatus> = { 7: 'optimal', 8: 'infeasible', 13: 'time_limit' };
const statusOf = (code: number): SolveStatus => STATUS[code] ?? 'failed';

function emptyModel(highs: Highs, p: SolverInput, floors: FloorRow[]): Model {
  const { rows, lower, upper } = rowBounds(p, floors, highs.infinity);
  return highs.createModel({
    numCols: 0,
    numRows: rows,
    sense: highs.constants.objectiveSense.maximize,
    colCost: new Float64Array(0),
    colLower: new Float64Array(0),
    colUpper: new Float64Array(0),
    rowLower: lower,
    rowUpper: upper,
    matrix: { format: 'csc', numRows: rows, numCols: 0, starts: [0], indices: [], values: [] },
  });
}

function addPairs(model: Model, p: SolverInput, floors: FloorRow[], pairs: ArrayLike<number>) {
  const rows = p.numNeeds + p.numOffers + floors.length;
  const c = pairColumns(p, floors, pairs);
  model.addCols({
    cost: c.cost,
    lower: c.lower,
    upper: c.upper,
    matrix: {
      format: 'csc',
      numRows: rows,
      numCols: pairs.length,
      starts: c.starts,
      indices: c.indices,
      values: c.values,
    },
  });
}

/** The pairs of each need, best coefficient first. */
function pairsByNeed(p: SolverInput): number[][] {
  const byNeed: number[][] = Array.from({ length: p.numNeeds }, () => []);
  for (let k = 0; k < p.pairCoef.length; k++) byNeed[p.pairNeed[k]].push(k);
  for (const list of byNeed) list.sort((a, b) => p.pairCoef[b] - p.pairCoef[a] || a - b);
  return byNeed;
}

/**
 * The LP optimum. Small models are solved whole. Large ones by sifting (column generation on
 * a fixed column set): start from each need's best few pairs, solve, price every other pair
 * with the row duals (reduced cost c_k − Σ_r a_rk·y_r), add the most attractive ones (a few per
 * need), re-solve from the previous basis, until no pair has a positive reduced cost — which
 * proves the restricted optimum optimal for the whole model. If a restricted model is
 * infeasible (floors needing pairs not yet in), every pair is added.
 */
export function solveLp(highs: Highs, p: SolverInput, options: LpOptions): LpResult {
  const started = performance.now();
  const n = p.pairCoef.length;
  const floors = floorRows(p);
  const x = new Float64Array(n);
  const elapsed = () => (performance.now() - started) / 1000;
  if (n === 0) {
    // Nothing to fund: feasible unless an amount floor asks for something.
    const status = floors.some((f) => f.lower > 0) ? 'infeasible' : 'optimal';
    return {
      status,
      objective: 0,
      x,
      seconds: elapsed(),
      columns: 0,
      rounds: 0,
      columnSet: new Int32Array(0),
    };
  }
  const model = emptyModel(highs, p, floors);
  try {
    model.options.set({ output_flag: false });
    const inSet = new Uint8Array(n);
    const columns: number[] = [];
    const add = (pairs: number[]) => {
      if (!pairs.length) return;
      for (const k of pairs) {
        inSet[k] = 1;
        columns.push(k);
      }
      addPairs(model, p, floors, pairs);
    };
    const whole = n <= (options.siftAbove ?? DEFAULT_SIFT_ABOVE);
    const byNeed = whole ? [] : pairsByNeed(p);
    add(
      whole
        ? Array.from({ length: n }, (_, k) => k)
        : byNeed.flatMap((l) => l.slice(0, INITIAL_PER_NEED)),
    );
    let rounds = 0;
    for (;;) {
      rounds += 1;
      options.onRound?.(rounds);
      model.options.set('time_limit', Math.max(0.1, options.timeLimitSeconds - elapsed()));
      const status = statusOf(model.run().modelStatus);
      if (status === 'infeasible' && columns.length < n) {
        add(Array.from({ length: n }, (_, k) => k).filter((k) => !inSet[k]));
        continue;
      }
      if (status !== 'optimal') {
        return {
          status,
          objective: NaN,
          x,
          seconds: elapsed(),
          columns: columns.length,
          rounds,
          columnSet: Int32Array.from(columns),
        };
      }
      if (columns.length === n) break;
      const y = model.getSolution().rowDual;
      const entering = priceOut(p, floors, y, inSet, byNeed);
      if (!entering.length) break;
      add(entering);
    }
    const values = model.getSolution().colValue;
    columns.forEach((k, c) => (x[k] = Math.max(0, values[c]) * U));
    return {
      status: 'optimal',
      objective: model.getObjectiveValue(),
      x,
      seconds: elapsed(),
      columns: columns.length,
      rounds,
      columnSet: Int32Array.from(columns),
    };
  } finally {
    model.dispose();
  }
}

/** Pairs outside the set with a positive reduced cost, the best ADDED_PER_NEED of each need. */
function priceOut(
  p: SolverInput,
  floors: FloorRow[],
  y: Float64Array,
  inSet: Uint8Array,
  byNeed: number[][],
): number[] {
  const base = p.numNeeds + p.numOffers;
  const entering: number[] = [];
  for (let i = 0; i < byNeed.length; i++) {
    let best: { k: number; rc: number }[] = [];
    for (const k of byNeed[i]) {
      if (inSet[k]) continue;
      let rc = p.pairCoef[k] * U - y[i] - y[p.numNeeds + p.pairOffer[k]];
      for (let r = 0; r < floors.length; r++) rc -= floorCoef(p, floors[r], k) * y[base + r];
      if (rc > PRICING_TOLERANCE) {
        best.push({ k, rc });
        if (best.length > ADDED_PER_NEED) {
          best.sort((a, b) => b.rc - a.rc);
          best = best.slice(0, ADDED_PER_NEED);
        }
      }
    }
    for (const b of best) entering.push(b.k);
  }
  return entering;
}

/**
 * The integer version: a funded pair carries at least its offer's per-project minimum
 * (binary y_k with x_k ≥ min_k·y_k and x_k ≤ cap_k·y_k; pairs without a minimum stay
 * continuous), under a time limit and a relative gap. Up to `fullAbove` pairs the model holds
 * every pair; above, it holds the final LP's columns plus the greedy's pairs (documented as a
 * restriction), and the gap is measured against the whole LP's optimum, which bounds the whole
 * integer optimum either way. The greedy answer is given as the starting incumbent.
 */
export function solveMip(
  highs: Highs,
  p: SolverInput,
  lp: LpResult,
  start: Float64Array,
  options: MipOptions,
): MipResult {
  const started = performance.now();
  const n = p.pairCoef.length;
  const floors = floorRows(p);
  const full = n <= (options.fullAbove ?? DEFAULT_MIP_FULL_ABOVE);
  if (n === 0 || lp.status === 'infeasible') {
    const seconds = (performance.now() - started) / 1000;
    const status = lp.status === 'infeasible' ? 'infeasible' : 'optimal';
    return {
      status,
      objective: status === 'optimal' ? 0 : NaN,
      x: new Float64Array(n),
      seconds,
      bound: 0,
      gap: 0,
      scope: 'full',
      columns: 0,
      binaries: 0,
    };
  }
  let pairs: number[];
  if (full) pairs = Array.from({ length: n }, (_, k) => k);
  else {
    const keep = new Uint8Array(n);
    for (const k of lp.columnSet) keep[k] = 1;
    for (let k = 0; k < n; k++) if (start[k] > 0 || lp.x[k] > 0) keep[k] = 1;
    pairs = [];
    for (let k = 0; k < n; k++) if (keep[k]) pairs.push(k);
  }
  const m = pairs.length;
  const binaryOf: number[] = [];
  pairs.forEach((k, c) => {
    if (p.pairMin[k] > 0 && p.pairMin[k] <= p.pairCap[k]) binaryOf.push(c);
  });
  const b = binaryOf.length;
  const baseRows = p.numNeeds + p.numOffers + floors.length;
  const rows = baseRows + 2 * b;
  const inf = highs.infinity;
  const rb = rowBounds(p, floors, inf);
  const rowLower = new Float64Array(rows);
  const rowUpper = new Float64Array(rows);
  rowLower.set(rb.lower);
  rowUpper.set(rb.upper);
  for (let q = 0; q < b; q++) {
    // x − min·y ≥ 0, then x − cap·y ≤ 0
    rowLower[baseRows + 2 * q] = 0;
    rowUpper[baseRows + 2 * q] = inf;
    rowLower[baseRows + 2 * q + 1] = -inf;
    rowUpper[baseRows + 2 * q + 1] = 0;
  }
  const xc = pairColumns(p, floors, pairs);
  // A pair whose minimum exceeds its bound cannot be funded whole.
  pairs.forEach((k, c) => {
    if (p.pairMin[k] > p.pairCap[k]) xc.upper[c] = 0;
  });
  const linkOf = new Int32Array(m).fill(-1);
  binaryOf.forEach((c, q) => (linkOf[c] = q));
  const starts = new Int32Array(m + b + 1);
  const indices: number[] = [];
  const values: number[] = [];
  for (let c = 0; c < m; c++) {
    starts[c] = indices.length;
    for (let e = xc.starts[c]; e < xc.starts[c + 1]; e++) {
      indices.push(xc.indices[e]);
      values.push(xc.values[e]);
    }
    const q = linkOf[c];
    if (q >= 0) {
      indices.push(baseRows + 2 * q, baseRows + 2 * q + 1);
      values.push(1, 1);
    }
  }
  for (let q = 0; q < b; q++) {
    const k = pairs[binaryOf[q]];
    starts[m + q] = indices.length;
    indices.push(baseRows + 2 * q, baseRows + 2 * q + 1);
    values.push(-p.pairMin[k] / U, -p.pairCap[k] / U);
  }
  starts[m + b] = indices.length;
  const colCost = new Float64Array(m + b);
  colCost.set(xc.cost);
  const colLower = new Float64Array(m + b);
  const colUpper = new Float64Array(m + b);
  colUpper.set(xc.upper);
  colUpper.fill(1, m);
  const integrality = new Int32Array(m + b);
  integrality.fill(1, m);

  const model = highs.createModel({
    numCols: m + b,
    numRows: rows,
    sense: highs.constants.objectiveSense.maximize,
    colCost,
    colLower,
    colUpper,
    rowLower,
    rowUpper,
    matrix: {
      format: 'csc',
      numRows: rows,
      numCols: m + b,
      starts,
      indices: Int32Array.from(indices),
      values: Float64Array.from(values),
    },
    integrality,
  });
  const x = new Float64Array(n);
  try {
    model.options.set({
      output_flag: false,
      time_limit: Math.max(0.1, options.timeLimitSeconds),
      mip_rel_gap: options.mipRelGap,
    });
    const colValue = new Float64Array(m + b);
    pairs.forEach((k, c) => (colValue[c] = start[k] / U));
    for (let q = 0; q < b; q++) colValue[m + q] = start[pairs[binaryOf[q]]] > 0 ? 1 : 0;
    model.setSolution({ colValue });
    const status = statusOf(model.run().modelStatus);
    const hasSolution = Number(model.info.get('primal_solution_status')) === 2;
    const seconds = (performance.now() - started) / 1000;
    if (!hasSolution) {
      return {
        status: status === 'optimal' ? 'failed' : status,
        objective: NaN,
        x,
        seconds,
        bound: lp.objective,
        gap: NaN,
        scope: full ? 'full' : 'restricted',
        columns: m,
        binaries: b,
      };
    }
    const values = model.getSolution().colValue;
    pairs.forEach((k, c) => (x[k] = Math.max(0, values[c]) * U));
    const objective = model.getObjectiveValue();
    const dualBound = Number(model.info.get('mip_dual_bound'));
    const bound =
      full && Number.isFinite(dualBound) ? Math.min(dualBound, lp.objective) : lp.objective;
    return {
      status,
      objective,
      x,
      seconds,
      bound,
      gap: relativeGap(bound, objective),
      scope: full ? 'full' : 'restricted',
      columns: m,
      binaries: b,
    };
  } finally {
    model.dispose();
  }
}

export function relativeGap(bound: number, objective: number): number {
  const diff = Math.max(0, bound - objective);
  if (diff <= 1e-9 * Math.max(1, Math.abs(bound))) return 0;
  return diff / Math.max(Math.abs(objective), 1e-12);
}

/**
 * The largest coverage the needs of floor `index` could get on their own (every other floor
 * dropped): below the floor's amount, that floor alone is infeasible.
 */
export function maxFloorCoverage(highs: Highs, p: SolverInput, index: number): number {
  const alone: SolverInput = {
    ...p,
    floors: [],
    pairCoef: Float64Array.from(p.pairCoef, (_, k) =>
      p.floors[index].needMask[p.pairNeed[k]] ? 1 / U : 0,
    ),
  };
  const result = solveLp(highs, alone, { timeLimitSeconds: 60, siftAbove: Infinity });
  return result.status === 'optimal' ? Math.round(result.objective * U) : 0;
}

/** The same model as CPLEX LP text (for reading, exporting, and cross-checking solvers). */
export function lpText(p: SolverInput): string {
  const floors = floorRows(p);
  const n = p.pairCoef.length;
  const num = (v: number) => (Number.isInteger(v) ? String(v) : v.toPrecision(15));
  const parts: string[] = ['Maximize', ' obj:'];
  for (let k = 0; k < n; k++) parts.push(` + ${num(p.pairCoef[k] * U)} x${k}`);
  parts.push('\nSubject To\n');
  const needTerms: string[][] = Array.from({ length: p.numNeeds }, () => []);
  const offerTerms: string[][] = Array.from({ length: p.numOffers }, () => []);
  for (let k = 0; k < n; k++) {
    needTerms[p.pairNeed[k]].push(`x${k}`);
    offerTerms[p.pairOffer[k]].push(`x${k}`);
  }
  needTerms.forEach((t, i) => {
    if (t.length) parts.push(` n${i}: ${t.join(' + ')} <= ${num(p.needUpper[i] / U)}\n`);
  });
  offerTerms.forEach((t, j) => {
    if (t.length) parts.push(` o${j}: ${t.join(' + ')} <= ${num(p.offerUpper[j] / U)}\n`);
  });
  floors.forEach((f, r) => {
    const terms: string[] = [];
    for (let k = 0; k < n; k++) {
      const v = floorCoef(p, f, k);
      if (v !== 0) terms.push(`${v < 0 ? '-' : '+'} ${num(Math.abs(v))} x${k}`);
    }
    parts.push(` f${r}: ${terms.join(' ') || '0 x0'} >= ${num(f.lower)}\n`);
  });
  parts.push('Bounds\n');
  for (let k = 0; k < n; k++) parts.push(` 0 <= x${k} <= ${num(p.pairCap[k] / U)}\n`);
  parts.push('End\n');
  return parts.join('');
}
