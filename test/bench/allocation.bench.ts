/**
 * `npm run bench:allocation`: the allocation solvers on 10,000 needs × 1,000 offers, each need
 * eligible with 20–60 offers (about 400,000 pairs), envelopes adding up to half the demand,
 * per-project maximums on 70 % of the offers and minimums on half. The instance comes from a
 * seeded generator in memory (src/modules/allocation/model/generator.ts): no database — the
 * figures are those of the solvers, which is what the job spends its time on (loading the
 * same data from PostgreSQL is one query per table). Prints one figure per line (contract
 * "Benchmarks and evaluations"): the greedy baseline, the LP (HiGHS, sifting), the integer
 * version under BENCH_MIP_TIME_LIMIT_S (default 60), and the checker's verdict on each answer.
 *
 * BENCH_NEEDS, BENCH_OFFERS, BENCH_MIN_PAIRS, BENCH_MAX_PAIRS, BENCH_SUPPLY_RATIO and
 * BENCH_SEED change the instance.
 */
import { checkAllocation } from '../../src/modules/allocation/checker';
import { generateInstance } from '../../src/modules/allocation/model/generator';
import { buildProblem, solverInput } from '../../src/modules/allocation/model/problem';
import { loadHighs, solveInProcess } from '../../src/modules/allocation/solvers/solve-runner';

const num = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const log = (message: string) => process.stderr.write(`${message}\n`);
const print = (name: string, value: number | string | boolean) =>
  process.stdout.write(`${name}: ${typeof value === 'number' ? round(value) : value}\n`);
const round = (v: number) => (Math.abs(v) >= 100 ? Number(v.toFixed(2)) : Number(v.toPrecision(6)));

async function main(): Promise<void> {
  const shape = {
    seed: num('BENCH_SEED', 62_47),
    needs: num('BENCH_NEEDS', 10_000),
    offers: num('BENCH_OFFERS', 1_000),
    minPairs: num('BENCH_MIN_PAIRS', 20),
    maxPairs: num('BENCH_MAX_PAIRS', 60),
    supplyRatio: num('BENCH_SUPPLY_RATIO', 0.5),
  };
  const mipLimit = num('BENCH_MIP_TIME_LIMIT_S', 60);
  log(`generating ${shape.needs} needs × ${shape.offers} offers …`);
  let t = performance.now();
  const input = generateInstance(shape);
  const problem = buildProblem(input);
  const model = solverInput(problem);
  const buildSeconds = (performance.now() - t) / 1000;
  const demand = input.needs.reduce((s, n) => s + n.uncoveredCents, 0) / 100;
  const supply = input.offers.reduce((s, o) => s + o.remainingCents, 0) / 100;

  log('solving: greedy, LP …');
  await loadHighs();
  t = performance.now();
  const cpu = process.cpuUsage();
  const lpOnly = await solveInProcess(model, {
    integer: false,
    timeLimitSeconds: 600,
    mipRelGap: 1e-4,
  });
  const lpTotal = (performance.now() - t) / 1000;
  // CPU seconds of greedy + LP (single-threaded here): on a shared, loaded machine the
  // wall-clock figures stretch, CPU time much less.
  const used = process.cpuUsage(cpu);
  const lpCpu = (used.user + used.system) / 1e6;
  if (lpOnly.status !== 'succeeded')
    throw new Error(`LP: ${lpOnly.status} ${lpOnly.message ?? ''}`);

  log(`solving: greedy (whole projects), LP, integer version (limit ${mipLimit} s) …`);
  const whole = await solveInProcess(model, {
    integer: true,
    timeLimitSeconds: mipLimit,
    mipRelGap: 1e-4,
  });
  if (whole.status !== 'succeeded' || !whole.mip) throw new Error(`MIP: ${whole.status}`);

  const check = (cents: Float64Array, integer: boolean) => {
    const assignments = [];
    for (let k = 0; k < cents.length; k++) {
      if (cents[k] > 0) {
        assignments.push({
          needId: input.needs[problem.pairNeed[k]].id,
          offerId: input.offers[problem.pairOffer[k]].id,
          amountCents: cents[k],
        });
      }
    }
    return checkAllocation(
      {
        needs: input.needs.map((n) => ({ id: n.id, uncoveredCents: n.uncoveredCents })),
        offers: input.offers.map((o) => ({ id: o.id, remainingCents: o.remainingCents })),
        pairs: input.pairs.map((p) => ({
          needId: input.needs[p.need].id,
          offerId: input.offers[p.offer].id,
          maxCents: p.maxCents,
          minCents: p.minCents,
        })),
        integer,
      },
      assignments,
    ).length;
  };

  print('needs', shape.needs);
  print('offers', shape.offers);
  print('pairs', problem.pairCoef.length);
  print('demand_over_supply', demand / supply);
  print('model_build_s', buildSeconds);
  print('greedy_solve_s', lpOnly.greedy.seconds);
  print('lp_solve_s', lpOnly.lp.seconds);
  print('lp_sifting_rounds', lpOnly.lp.rounds);
  print('lp_columns', lpOnly.lp.columns);
  print('lp_total_s', lpTotal);
  print('greedy_and_lp_cpu_s', lpCpu);
  print('lp_objective', lpOnly.lp.objective);
  print('greedy_objective', lpOnly.greedy.objective);
  print('lp_over_greedy', lpOnly.lp.objective / lpOnly.greedy.objective);
  print('mip_solve_s', whole.mip.seconds);
  print('mip_status', whole.mip.status);
  print('mip_scope', whole.mip.scope);
  print('mip_objective', whole.mip.objective);
  print('mip_gap', whole.mip.gap);
  print('greedy_whole_objective', whole.greedy.objective);
  print('mip_over_greedy', whole.mip.objective / whole.greedy.objective);
  print('lp_violations', check(lpOnly.lp.cents, false));
  print('mip_violations', check(whole.mip.cents, true));
  print('greedy_violations', check(lpOnly.greedy.cents, false));
  print('load_average_1m', (await import('node:os')).loadavg()[0]);
  print('peak_rss_mb', process.resourceUsage().maxRSS / 1024);
}

main().catch((error: unknown) => {
  log(`bench failed: ${(error as Error).stack ?? String(error)}`);
  process.exit(1);
});
