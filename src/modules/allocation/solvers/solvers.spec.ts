import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { checkAllocation, CheckInput } from '../checker';
import { generateInstance } from '../model/generator';
import {
  buildProblem,
  DEFAULT_PRIORITY_WEIGHTS,
  FloorInput,
  objectiveOf,
  ProblemInput,
  solverInput,
} from '../model/problem';
import { toCents } from '../model/solution';
import { lpText } from './highs-solver';
import { runSolves, SolveOptions } from './solve';
import { loadHighs, solveInProcess, solveInThread } from './solve-runner';

const KUSD = 100_000; // cents
const ROOT = join(__dirname, '..', '..', '..', '..');

/** The checker's view of an instance, straight from the plain inputs. */
function checkInput(input: ProblemInput, integer: boolean): CheckInput {
  return {
    needs: input.needs.map((n) => ({ id: n.id, uncoveredCents: n.uncoveredCents })),
    offers: input.offers.map((o) => ({ id: o.id, remainingCents: o.remainingCents })),
    pairs: input.pairs.map((p) => ({
      needId: input.needs[p.need].id,
      offerId: input.offers[p.offer].id,
      maxCents: p.maxCents,
      minCents: p.minCents,
    })),
    floors: (input.floors ?? []).map((f) => ({
      label: `${f.kind}:${f.code}`,
      needIds: f.needs.map((i) => input.needs[i].id),
      minCents: f.minCents,
      minShare: f.minShare,
    })),
    integer,
  };
}

function assignmentsOf(input: ProblemInput, cents: ArrayLike<number>) {
  const problem = buildProblem(input);
  const rows = [];
  for (let k = 0; k < cents.length; k++) {
    if (cents[k] > 0) {
      rows.push({
        needId: input.needs[problem.pairNeed[k]].id,
        offerId: input.offers[problem.pairOffer[k]].id,
        amountCents: cents[k],
      });
    }
  }
  return rows;
}

/** The objective coefficient per cent, computed here from the definition, not by the model code. */
const coefficient = (input: ProblemInput, pairIndex: number) => {
  const pair = input.pairs[pairIndex];
  const need = input.needs[pair.need];
  return (DEFAULT_PRIORITY_WEIGHTS[need.priority] * pair.score) / need.costCents;
};

/**
 * The integer optimum by trying every whole-kUSD amount of every pair. Exhaustive: with the
 * binaries fixed the constraint matrix (needs, offers, amount floors: laminar sums) is totally
 * unimodular and the data are whole kUSD, so some optimum has whole-kUSD amounts.
 */
function exhaustiveOptimum(input: ProblemInput): number | null {
  const caps = input.pairs.map((p) =>
    Math.min(
      input.needs[p.need].uncoveredCents,
      input.offers[p.offer].remainingCents,
      p.maxCents ?? Infinity,
    ),
  );
  const domains = input.pairs.map((p, k) => {
    const values = [0];
    for (let v = Math.max(1, Math.ceil(p.minCents / KUSD)); v * KUSD <= caps[k]; v++)
      values.push(v);
    return values;
  });
  const needSum = new Array(input.needs.length).fill(0);
  const offerSum = new Array(input.offers.length).fill(0);
  const x = new Array(input.pairs.length).fill(0);
  let best: number | null = null;
  const visit = (k: number) => {
    if (k === input.pairs.length) {
      for (const f of input.floors ?? []) {
        const members = new Set(f.needs);
        const sum = input.pairs.reduce((s, p, q) => s + (members.has(p.need) ? x[q] : 0), 0);
        if (f.minCents !== undefined && sum * KUSD < f.minCents) return;
      }
      const value = input.pairs.reduce((s, _, q) => s + coefficient(input, q) * x[q] * KUSD, 0);
      if (best === null || value > best) best = value;
      return;
    }
    const p = input.pairs[k];
    for (const v of domains[k]) {
      const c = v * KUSD;
      if (needSum[p.need] + c > input.needs[p.need].uncoveredCents) break;
      if (offerSum[p.offer] + c > input.offers[p.offer].remainingCents) break;
      needSum[p.need] += c;
      offerSum[p.offer] += c;
      x[k] = v;
      visit(k + 1);
      needSum[p.need] -= c;
      offerSum[p.offer] -= c;
      x[k] = 0;
    }
  };
  visit(0);
  return best;
}

/** The LP of each instance built for GLPK from the plain inputs, solved by glpk.js in a child process. */
function glpkObjectives(instances: ProblemInput[]): number[] {
  const models = instances.map((input) => {
    const vars = input.pairs.map((_, k) => `x${k}`);
    const sumOver = (keep: (k: number) => boolean, coef: (k: number) => number = () => 1) =>
      input.pairs.flatMap((_, k) => (keep(k) ? [{ name: vars[k], coef: coef(k) }] : []));
    const total = input.pairs.map((_, k) => k);
    const subjectTo = [
      ...input.needs.map((n, i) => ({
        name: `n${i}`,
        vars: sumOver((k) => input.pairs[k].need === i),
        bnds: { type: 3, ub: n.uncoveredCents / KUSD, lb: 0 },
      })),
      ...input.offers.map((o, j) => ({
        name: `o${j}`,
        vars: sumOver((k) => input.pairs[k].offer === j),
        bnds: { type: 3, ub: o.remainingCents / KUSD, lb: 0 },
      })),
      ...(input.floors ?? []).flatMap((f: FloorInput, g) => {
        const members = new Set(f.needs);
        const rows = [];
        if (f.minCents) {
          rows.push({
            name: `fa${g}`,
            vars: sumOver((k) => members.has(input.pairs[k].need)),
            bnds: { type: 2, ub: 0, lb: f.minCents / KUSD },
          });
        }
        if (f.minShare) {
          rows.push({
            name: `fs${g}`,
            vars: sumOver(
              (k) => total.includes(k),
              (k) => (members.has(input.pairs[k].need) ? 1 : 0) - f.minShare!,
            ),
            bnds: { type: 2, ub: 0, lb: 0 },
          });
        }
        return rows;
      }),
    ].filter((row) => row.vars.length);
    return {
      name: 'allocation',
      objective: {
        direction: 2,
        name: 'obj',
        vars: input.pairs.map((_, k) => ({ name: vars[k], coef: coefficient(input, k) * KUSD })),
      },
      subjectTo,
      bounds: input.pairs.map((p, k) => ({
        name: vars[k],
        type: 4,
        lb: 0,
        ub:
          Math.min(
            input.needs[p.need].uncoveredCents,
            input.offers[p.offer].remainingCents,
            p.maxCents ?? Infinity,
          ) / KUSD,
      })),
    };
  });
  const script = `
    import GLPK from 'glpk.js/node';
    const glpk = await GLPK();
    let text = '';
    for await (const chunk of process.stdin) text += chunk;
    const out = JSON.parse(text).map((lp) => {
      const r = glpk.solve(lp, { msglev: glpk.GLP_MSG_OFF });
      return r.result.status === glpk.GLP_OPT ? r.result.z : null;
    });
    process.stdout.write(JSON.stringify(out));`;
  const stdout = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: ROOT,
    input: JSON.stringify(models),
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(stdout.toString()) as number[];
}

/** Tiny instances in whole kUSD, some with an amount floor on the first need's country. */
function tinyInstances(count: number): ProblemInput[] {
  return Array.from({ length: count }, (_, s) => {
    const input = generateInstance({
      seed: 1000 + s,
      needs: 2 + (s % 3),
      offers: 2,
      minPairs: 1,
      maxPairs: 2,
      supplyRatio: 0.6,
      minCostUsd: 1000,
      costSpread: 6,
      unitCents: KUSD,
    });
    // Small envelopes and limits so the enumeration stays small but the constraints bite.
    input.pairs.forEach((p) => {
      p.minCents = s % 2 ? Math.min(p.minCents, 2 * KUSD) : 0;
      p.maxCents = p.maxCents === null ? null : Math.min(p.maxCents, 4 * KUSD);
    });
    if (s % 4 === 3) {
      const country = input.needs[0].countryCode;
      const needs = input.needs.flatMap((n, i) => (n.countryCode === country ? [i] : []));
      input.floors = [{ kind: 'group', code: country, needs, minCents: (1 + (s % 3)) * KUSD }];
    }
    return input;
  });
}

const options = (integer: boolean, extra: Partial<SolveOptions> = {}): SolveOptions => ({
  integer,
  timeLimitSeconds: 60,
  mipRelGap: 1e-9,
  ...extra,
});

describe('allocation solvers', () => {
  const tiny = tinyInstances(40);

  it('the integer version finds the optimum that exhaustive search finds on tiny instances', async () => {
    let withFloors = 0;
    let infeasible = 0;
    for (const input of tiny) {
      const expected = exhaustiveOptimum(input);
      const problem = buildProblem(input);
      const outcome = await solveInProcess(solverInput(problem), options(true));
      if (input.floors) withFloors += 1;
      if (expected === null) {
        infeasible += 1;
        expect(outcome.status).toBe('infeasible');
        continue;
      }
      expect(outcome.status).toBe('succeeded');
      expect(outcome.mip!.scope).toBe('full');
      expect(outcome.mip!.objective).toBeCloseTo(expected, 9);
      // The rounded answer is worth the same, and the LP bounds it from above.
      expect(objectiveOf(problem, outcome.mip!.cents)).toBeCloseTo(expected, 9);
      expect(outcome.lp.objective).toBeGreaterThanOrEqual(expected - 1e-9);
      expect(outcome.mip!.gap).toBeLessThan(1e-6);
      expect(
        checkAllocation(checkInput(input, true), assignmentsOf(input, outcome.mip!.cents)),
      ).toEqual([]);
    }
    expect(withFloors).toBeGreaterThan(5);
    expect(tiny.length - infeasible).toBeGreaterThan(30);
  });

  it('the LP optimum equals GLPK’s on the same model, with floors, solved whole and by sifting', async () => {
    const medium = [1, 2, 3, 4].map((seed) => {
      const input = generateInstance({
        seed,
        needs: 120,
        offers: 15,
        minPairs: 2,
        maxPairs: 8,
        supplyRatio: 0.5,
      });
      if (seed % 2 === 0) {
        const byCountry = (code: string) =>
          input.needs.flatMap((n, i) => (n.countryCode === code ? [i] : []));
        input.floors = [
          { kind: 'group', code: 'SLE', needs: byCountry('SLE'), minShare: 0.15 },
          { kind: 'region', code: 'PER', needs: byCountry('PER'), minCents: 50_000_00 },
        ];
      }
      return input;
    });
    const instances = [...tiny.filter((t) => exhaustiveOptimum(t) !== null), ...medium];
    const expected = glpkObjectives(instances);
    let sifted = 0;
    for (const [q, input] of instances.entries()) {
      const problem = solverInput(buildProblem(input));
      for (const siftAbove of [Infinity, 50]) {
        const outcome = await solveInProcess(problem, options(false, { siftAbove }));
        expect(outcome.status).toBe('succeeded');
        expect(expected[q]).not.toBeNull();
        expect(outcome.lp.objective).toBeCloseTo(expected[q], 6);
        if (outcome.lp.rounds > 1) sifted += 1;
      }
    }
    expect(sifted).toBeGreaterThan(0);
  });

  it('HiGHS reads the CPLEX LP text of the model to the same optimum', async () => {
    const input = generateInstance({
      seed: 7,
      needs: 60,
      offers: 10,
      minPairs: 2,
      maxPairs: 6,
      supplyRatio: 0.5,
    });
    input.floors = [{ kind: 'group', code: 'KEN', needs: [0, 1, 2, 3], minShare: 0.1 }];
    const problem = solverInput(buildProblem(input));
    const highs = await loadHighs();
    const fromText = highs.solve(lpText(problem), { output_flag: false } as never);
    const structured = runSolves(highs, problem, options(false));
    expect(fromText.Status).toBe('Optimal');
    expect(fromText.ObjectiveValue).toBeCloseTo(structured.lp.objective, 6);
  });

  it('every answer (greedy, LP, integer) satisfies every constraint on random instances', async () => {
    let checked = 0;
    for (const seed of [11, 12, 13, 14, 15, 16]) {
      const input = generateInstance({
        seed,
        needs: 150,
        offers: 25,
        minPairs: 3,
        maxPairs: 12,
        supplyRatio: seed % 2 ? 0.4 : 1.5,
      });
      if (seed % 3 === 0) {
        const members = input.needs.flatMap((n, i) => (n.countryCode === 'NGA' ? [i] : []));
        input.floors = [
          { kind: 'group', code: 'NGA', needs: members, minCents: 100_000_00, minShare: 0.05 },
        ];
      }
      const problem = solverInput(buildProblem(input));
      for (const integer of [false, true]) {
        const outcome = await solveInProcess(
          problem,
          options(integer, { timeLimitSeconds: 20, mipRelGap: 1e-4, siftAbove: 300 }),
        );
        expect(outcome.status).toBe('succeeded');
        // The LP is the relaxation: per-project minimums bind only the integer answer.
        const answers: [Float64Array, boolean][] = [[outcome.lp.cents, false]];
        if (integer) answers.push([outcome.mip!.cents, true]);
        for (const [cents, whole] of answers) {
          expect(checkAllocation(checkInput(input, whole), assignmentsOf(input, cents))).toEqual(
            [],
          );
          checked += 1;
        }
        // The greedy baseline respects the limits (floors it only pursues when they are amounts).
        const greedyViolations = checkAllocation(
          { ...checkInput(input, integer), floors: [] },
          assignmentsOf(input, outcome.greedy.cents),
        );
        expect(greedyViolations).toEqual([]);
        expect(outcome.lp.objective).toBeGreaterThanOrEqual(outcome.greedy.objective - 1e-9);
        if (integer) {
          expect(outcome.mip!.objective).toBeGreaterThanOrEqual(outcome.greedy.objective - 1e-6);
          expect(outcome.lp.objective).toBeGreaterThanOrEqual(outcome.mip!.objective - 1e-9);
        }
      }
    }
    expect(checked).toBe(18);
  });

  it('the checker catches each kind of violation', () => {
    const input: ProblemInput = {
      needs: [
        { id: 'a', priority: 'high', costCents: 1000, uncoveredCents: 800, countryCode: 'SLE' },
        { id: 'b', priority: 'low', costCents: 1000, uncoveredCents: 1000, countryCode: 'PER' },
      ],
      offers: [{ id: 'x', remainingCents: 900 }],
      pairs: [
        { need: 0, offer: 0, score: 0.5, maxCents: 600, minCents: 200 },
        { need: 1, offer: 0, score: 0.5, maxCents: null, minCents: 200 },
      ],
      floors: [{ kind: 'group', code: 'PER', needs: [1], minCents: 500 }],
    };
    const check = (rows: [string, string, number][], integer = true) =>
      checkAllocation(
        checkInput(input, integer),
        rows.map(([needId, offerId, amountCents]) => ({ needId, offerId, amountCents })),
      ).map((v) => v.constraint);
    expect(
      check([
        ['a', 'x', 400],
        ['b', 'x', 500],
      ]),
    ).toEqual([]);
    expect(
      check([
        ['a', 'x', 700],
        ['b', 'x', 500],
      ]),
    ).toEqual(['per_project_max', 'offer_budget']);
    expect(
      check([
        ['a', 'x', 100],
        ['b', 'x', 500],
      ]),
    ).toEqual(['per_project_min']);
    expect(
      check(
        [
          ['a', 'x', 100],
          ['b', 'x', 500],
        ],
        false,
      ),
    ).toEqual([]);
    expect(
      check([
        ['a', 'x', 400],
        ['b', 'x', 300],
      ]),
    ).toEqual(['fairness_floor']);
    expect(check([['a', 'y', 400]])).toEqual(['eligible_pair', 'fairness_floor']);
    expect(
      check([
        ['a', 'x', 0.5],
        ['b', 'x', 500],
      ]),
    ).toEqual(['whole_cents', 'per_project_min']);
    expect(
      check([
        ['b', 'x', 500],
        ['b', 'x', 500],
      ]),
    ).toEqual(['single_row_per_pair', 'offer_budget']);
  });

  it('rounding to cents never breaks an upper limit', () => {
    const input = generateInstance({
      seed: 3,
      needs: 50,
      offers: 5,
      minPairs: 2,
      maxPairs: 5,
      supplyRatio: 0.5,
    });
    const problem = solverInput(buildProblem(input));
    // Amounts a hair above every bound, as a solver's tolerance may leave them.
    const x = Float64Array.from(problem.pairCap, (c) => c + 0.4);
    const cents = toCents(problem, x, false);
    expect(checkAllocation(checkInput(input, false), assignmentsOf(input, cents))).toEqual([]);
  });

  it('solving in a worker thread gives the in-process answer', async () => {
    const input = generateInstance({
      seed: 21,
      needs: 80,
      offers: 12,
      minPairs: 2,
      maxPairs: 6,
      supplyRatio: 0.5,
    });
    const problem = solverInput(buildProblem(input));
    const progress: number[] = [];
    const threaded = await solveInThread(problem, options(true, { mipRelGap: 1e-6 }), (p) =>
      progress.push(p),
    );
    const local = await solveInProcess(problem, options(true, { mipRelGap: 1e-6 }));
    expect(threaded.status).toBe('succeeded');
    expect(threaded.lp.objective).toBeCloseTo(local.lp.objective, 9);
    expect(threaded.mip!.objective).toBeCloseTo(local.mip!.objective, 6);
    expect(progress.length).toBeGreaterThan(1);
    expect(progress[progress.length - 1]).toBeGreaterThanOrEqual(95);
  }, 60_000);
});
