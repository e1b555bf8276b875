/**
 * In-process harness for the incremental path's own work: `MatchingService.match('need', id)`
 * (one need against every offer: index sync, prior engagement, candidates, writes), on a
 * database the benchmark kept (`BENCH_KEEP_DB=1 npm run bench:matching`):
 *   DB=postgres://postgres@127.0.0.1:5432/<kept name> [NEEDS=40] \
 *     node -r ts-node/register/transpile-only test/bench/matching.match-profile.ts
 * Matches NEEDS random published needs one after another (after one unmeasured match that
 * builds the offer index) and prints the median time of the match and of each step. It
 * rewrites those needs' suggestions: use a kept copy, never a real database.
 */
import 'reflect-metadata';
import { closeKeptDatabaseApi, keptDatabaseApi } from './kept-db-api';

async function main() {
  const { DataSource } = await import('typeorm');
  const api = await keptDatabaseApi();
  const { MatchingService } = await import('../../src/modules/matching/matching.service');
  const { OfferIndexService } = await import('../../src/modules/matching/offer-index.service');
  const spent = new Map<string, number[]>();
  // Times a method of an instance, private ones included (this is a harness, not the product).
  const time = (target: object, method: string, label = method) => {
    const t = target as Record<string, (...args: unknown[]) => Promise<unknown>>;
    const orig = t[method].bind(target);
    t[method] = async (...args: unknown[]) => {
      const t0 = performance.now();
      try {
        return await orig(...args);
      } finally {
        (spent.get(label) ?? spent.set(label, []).get(label)!).push(performance.now() - t0);
      }
    };
  };
  const svc = api.get(MatchingService);
  time(api.get(OfferIndexService), 'current', 'offer index sync');
  for (const step of ['lockParents', 'priorFor', 'evaluateNeeds', 'store']) time(svc, step);
  const ids: { id: string }[] = await api
    .get(DataSource)
    .query(`SELECT id FROM need WHERE status = 'published' ORDER BY random() LIMIT $1`, [
      Number(process.env.NEEDS ?? 40) + 1,
    ]);
  if (ids.length < 2) throw new Error('no published needs: is DB a kept benchmark database?');
  await svc.match('need', ids[0].id);
  spent.clear();
  const total: number[] = [];
  for (const { id } of ids.slice(1)) {
    const t0 = performance.now();
    await svc.match('need', id);
    total.push(performance.now() - t0);
  }
  const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
  process.stdout.write(`needs: ${total.length}\n`);
  process.stdout.write(`match_median_ms: ${median(total).toFixed(1)}\n`);
  process.stdout.write(`match_max_ms: ${Math.max(...total).toFixed(1)}\n`);
  for (const [label, ms] of spent)
    process.stdout.write(`  ${label}: median ${median(ms).toFixed(2)} ms (${ms.length} calls)\n`);
  await closeKeptDatabaseApi(api);
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack}\n`);
  process.exit(1);
});
