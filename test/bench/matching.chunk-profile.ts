/**
 * In-process harness for one chunk of a full re-match (`MatchingService.rematchChunk`: index,
 * scoring, explanations, writes), on a database the benchmark kept (see matching.profile.ts):
 *   DB=postgres://postgres@127.0.0.1:5432/<kept name> [CHUNK=3000] [WARM=0] [FINISH=1] [CPUPROF=file.cpuprofile] \
 *     node -r ts-node/register/transpile-only test/bench/matching.chunk-profile.ts
 * SEED=1 seeds the offers' floors first (the run's parent job does). Prints the chunk's
 * figures and the time spent in each kind of SQL statement. It writes suggestions into that
 * database: use a kept copy, never a real one.
 */
import 'reflect-metadata';
import { closeKeptDatabaseApi, keptDatabaseApi } from './kept-db-api';
async function main() {
  const { DataSource } = await import('typeorm');
  const spent = new Map<string, { ms: number; n: number }>();
  /** Runs one statement, adding its time to `key`'s tally. */
  const timed = async <T>(key: string, run: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    try {
      return await run();
    } finally {
      const e = spent.get(key) ?? { ms: 0, n: 0 };
      e.ms += performance.now() - t0;
      e.n++;
      spent.set(key, e);
    }
  };
  const proto = DataSource.prototype as any;
  const query = proto.query;
  // Every argument passed on: the third is the query runner of a transaction.
  proto.query = function (sql: string, ...rest: unknown[]) {
    return timed(sql.replace(/\s+/g, ' ').trim().slice(0, 60), () =>
      query.call(this, sql, ...rest),
    );
  };
  // COPY goes to the driver's connection, past TypeORM: timed the same way.
  const pgCopy = await import('../../src/common/pg-copy');
  const copyLines = pgCopy.copyLines;
  (pgCopy as { copyLines: typeof copyLines }).copyLines = (m, table, columns, lines) =>
    timed(`COPY ${table}`, () => copyLines(m, table, columns, lines));
  const api = await keptDatabaseApi();
  const { MatchingService } = await import('../../src/modules/matching/matching.service');
  const svc = api.get(MatchingService);
  const { bounds } = await svc.chunkBounds(Number(process.env.CHUNK ?? 3000));
  // WARM=n: chunks 0..n-1 run first, unprofiled, in the same run (the offers' floors they
  // leave in the shared store are what a later chunk of a real run starts from).
  const runId = `prof-${Date.now()}`;
  const warm = Number(process.env.WARM ?? 0);
  // SEED=1: the offers' floors seeded first, as the run's parent job does.
  if (process.env.SEED) {
    const t0 = performance.now();
    const seeded = await svc.seedRunFloors(runId);
    console.log(JSON.stringify({ seeded, ms: Math.round(performance.now() - t0) }));
  }
  for (let c = 0; c < warm; c++) await svc.rematchChunk(runId, c, bounds[c], bounds[c + 1] ?? null);
  spent.clear();
  const inspector = await import('node:inspector/promises');
  const session = new inspector.Session();
  if (process.env.CPUPROF) {
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
  }
  const t = performance.now();
  const stats = await svc.rematchChunk(runId, warm, bounds[warm], bounds[warm + 1] ?? null);
  const ms = performance.now() - t;
  if (process.env.CPUPROF) {
    const { profile } = await session.post('Profiler.stop');
    (await import('node:fs')).writeFileSync(process.env.CPUPROF, JSON.stringify(profile));
  }
  console.log(
    JSON.stringify({ ...stats, ms: Math.round(ms), msPerNeed: +(ms / stats.needs).toFixed(3) }),
  );
  for (const [k, v] of [...spent].sort((a, b) => b[1].ms - a[1].ms).slice(0, 15))
    console.log(Math.round(v.ms), v.n, k);
  if (process.env.FINISH) {
    // FINISH=1: then the offers' side of the run (what the parent job does after the chunks).
    spent.clear();
    const t1 = performance.now();
    const r = await svc.finishOffers(runId, '00000000-0000-0000-0000-000000000000', null);
    console.log(JSON.stringify({ finishOffers: r, ms: Math.round(performance.now() - t1) }));
    for (const [k, v] of [...spent].sort((a, b) => b[1].ms - a[1].ms).slice(0, 15))
      console.log(Math.round(v.ms), v.n, k);
  }
  await closeKeptDatabaseApi(api);
}
main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
