/**
 * `npm run bench:api-ab`: compares the CPU two API builds (or two configurations, or two
 * databases) spend per request, robustly on a machine whose speed drifts. The same work took
 * 590–1000 ms on this VM within one idle hour, far more than most changes save. Both APIs run at
 * once (`node <dist>/main.js`, one process each) and the load alternates between them in short
 * slices, ABBA, so a drift of the machine falls on both. Prints, per side, the API's CPU per
 * request (from /proc), the requests per second and the p99 of each slice.
 *
 * Needs a seeded benchmark database: `createdb salw_bench_kept` then
 * `BENCH_DB=salw_bench_kept npm run bench:api` seeds and keeps it. It also needs a build
 * (`npx nest build`). Settings (environment):
 * - AB_DB: the database (default salw_bench_kept); AB_DB_A / AB_DB_B: one per side instead;
 * - AB_DIST_A / AB_DIST_B: the build of each side (default `dist`; for the previous code,
 *   `git worktree add /tmp/old <commit>` and build there, then copy its `dist` into this
 *   project, where `node_modules` resolves);
 * - AB_ENV_A / AB_ENV_B: extra `NAME=value` pairs of each side's environment;
 * - AB_KIND: list, search or read (default list): the bench's paths of that phase;
 * - AB_ROUNDS (default 8) and AB_SLICE seconds (default 2); one more round warms both up.
 *
 * With a database per side (AB_DB_A / AB_DB_B, e.g. `CREATE DATABASE b TEMPLATE a`), it also
 * prints each side's PostgreSQL CPU per request: the backends its API opened (application_name
 * `salw-platform` on that database).
 */
import 'reflect-metadata';
import autocannon from 'autocannon';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Client } from 'pg';
import { PasswordService } from '../../src/modules/auth/password.service';
import { cpuMsOf, LIST_PATHS, SEARCH_PATHS, startApiProcess, stopApi, withDb } from './api-common';
import { dropQueueKeys } from './queue-keys';

const DB = process.env.AB_DB ?? 'salw_bench_kept';
const ROUNDS = Number(process.env.AB_ROUNDS ?? 8);
const SLICE = Number(process.env.AB_SLICE ?? 2);
const KIND = process.env.AB_KIND ?? 'list';
const ROOT = join(__dirname, '../..');

interface Side {
  name: 'A' | 'B';
  db: string;
  dist: string;
  env: Record<string, string>;
  port: number;
  api?: ChildProcess;
  token?: string;
  cpuMs: number;
  dbCpuMs: number;
  requests: number;
  p99s: number[];
}

const side = (name: 'A' | 'B', port: number): Side => ({
  name,
  db: process.env[`AB_DB_${name}`] ?? DB,
  dist: join(ROOT, process.env[`AB_DIST_${name}`] ?? 'dist'),
  env: Object.fromEntries(
    (process.env[`AB_ENV_${name}`] ?? '')
      .split(' ')
      .filter(Boolean)
      .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
  ),
  port,
  cpuMs: 0,
  dbCpuMs: 0,
  requests: 0,
  p99s: [],
});

function startApi(s: Side): Promise<ChildProcess> {
  return startApiProcess(join(s.dist, 'main.js'), {
    ...process.env,
    DATABASE_URL: withDb(s.db),
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    JWT_SECRET: randomBytes(32).toString('hex'),
    LOG_LEVEL: 'info',
    QUEUE_PREFIX: `ab${s.port}`,
    SMTP_URL: 'smtp://127.0.0.1:1',
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    API_WORKERS: '1',
    PORT: String(s.port),
    ...s.env,
  });
}

async function main(): Promise<void> {
  const sides = [side('A', 31_001), side('B', 31_002)];
  const email = `ab-${randomBytes(4).toString('hex')}@example.org`;
  const password = `${randomBytes(16).toString('base64url')}#7`;
  const hash = await new PasswordService().hash(password);
  const clients = new Map<string, Client>();
  for (const db of new Set(sides.map((s) => s.db))) {
    const client = new Client(withDb(db));
    await client.connect();
    clients.set(db, client);
    await client.query(
      `INSERT INTO app_user (party_id, email, name, password_hash, roles, language, active)
       SELECT id, $1, 'A/B bench', $2, ARRAY['secretariat'], 'en', true
         FROM party WHERE name = 'UNODA'`,
      [email, hash],
    );
  }
  try {
    const reads = (
      (await clients.get(sides[0].db)!.query(`SELECT id FROM need ORDER BY random() LIMIT 1000`))
        .rows as { id: string }[]
    ).map((r) => `/api/v1/needs/${r.id}`);
    const paths: Record<string, string[]> = { list: LIST_PATHS, search: SEARCH_PATHS, read: reads };
    const kindPaths = paths[KIND];
    if (!kindPaths) throw new Error(`AB_KIND must be one of ${Object.keys(paths).join(', ')}`);
    for (const s of sides) {
      s.api = await startApi(s);
      const login = await fetch(`http://127.0.0.1:${s.port}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password }),
      });
      s.token = ((await login.json()) as { accessToken?: string }).accessToken;
      if (!s.token) throw new Error(`login on ${s.name} failed: ${login.status}`);
    }
    const perSideDb = sides[0].db !== sides[1].db;
    const backends = async (s: Side): Promise<number[]> =>
      (
        await clients
          .get(s.db)!
          .query(
            `SELECT pid FROM pg_stat_activity WHERE datname = $1 AND application_name = 'salw-platform'`,
            [s.db],
          )
      ).rows.map((r: { pid: number }) => r.pid);
    const dbCpu = (pids: number[]) => pids.reduce((sum, pid) => sum + cpuMsOf(pid), 0);
    for (let round = -1; round < ROUNDS; round++) {
      for (const s of round % 2 ? sides : [...sides].reverse()) {
        let i = 0;
        const pids = perSideDb ? await backends(s) : [];
        const db0 = dbCpu(pids);
        const cpu0 = cpuMsOf(s.api!.pid!);
        const result = await autocannon({
          url: `http://127.0.0.1:${s.port}`,
          connections: 10,
          duration: SLICE,
          headers: { authorization: `Bearer ${s.token}` },
          requests: [
            { setupRequest: (req) => ({ ...req, path: kindPaths[i++ % kindPaths.length] }) },
          ],
        });
        if (result.non2xx || result.errors) {
          throw new Error(`${s.name}: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
        }
        if (round < 0) continue; // the warm-up round
        s.cpuMs += cpuMsOf(s.api!.pid!) - cpu0;
        s.dbCpuMs += dbCpu(pids) - db0;
        s.requests += result.requests.total;
        s.p99s.push(result.latency.p99);
      }
    }
    for (const s of sides) {
      process.stdout.write(
        `${s.name}_${KIND}_api_cpu_ms: ${(s.cpuMs / s.requests).toFixed(3)}\n` +
          (perSideDb
            ? `${s.name}_${KIND}_db_cpu_ms: ${(s.dbCpuMs / s.requests).toFixed(3)}\n`
            : '') +
          `${s.name}_${KIND}_rps: ${Math.round(s.requests / SLICE / ROUNDS)}\n` +
          `${s.name}_${KIND}_p99_ms_per_slice: ${s.p99s.join(',')}\n`,
      );
    }
  } finally {
    for (const s of sides) if (s.api) await stopApi(s.api).catch(() => undefined);
    for (const s of sides)
      await dropQueueKeys(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', `ab${s.port}`).catch(
        () => undefined,
      );
    for (const client of clients.values()) {
      await client.query(`DELETE FROM app_user WHERE email = $1`, [email]).catch(() => undefined);
      await client.end();
    }
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
