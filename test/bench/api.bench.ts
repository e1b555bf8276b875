/**
 * `npm run bench:api`: creates a database of its own on the server of DATABASE_URL (or
 * postgres://postgres@127.0.0.1:5432), migrates it, seeds 100,000 needs and 10,000 offers
 * across the 195 States with SQL, starts the API as deployed (`node dist/main.js`, API_WORKERS
 * processes, default 1 as in production) on a free port and measures, with autocannon at
 * concurrency 10 for BENCH_SECONDS (default 10) each, after an unmeasured warm-up of all of
 * them mixed (BENCH_WARMUP_SECONDS, default 20), as a secretariat user: a filtered list,
 * a full-text search (including a misspelt word) and a single need read; then the search sorted
 * by relevance. Prints one figure per line (contract "Benchmarks and evaluations"), with the
 * CPU milliseconds each request cost the API process(es) and the PostgreSQL backends serving
 * them (from /proc; robust to other load on the machine, unlike latency), then a naive
 * baseline measured in the same run (the same list with OFFSET pagination and the search with
 * ILIKE, straight on PostgreSQL at the same concurrency — no HTTP, so the baseline is
 * flattered), and last `cpu_calibration_ms`, the speed of the machine's CPU during the run
 * (see calibrationMs). Drops the database at the end.
 *
 * BENCH_KEEP_DB=1 keeps the database; BENCH_DB=<name> reuses a kept one (migrated to the latest,
 * seeded only if empty). BENCH_ONLY=list,search,read,relevance runs only those phases and no
 * baseline; BENCH_API_NODE_ARGS passes Node flags to the API (e.g. `--cpu-prof`);
 * BENCH_PER_PATH=1 first loads each list and search path on its own and prints, on stderr, its
 * p99, requests per second and API / PostgreSQL CPU per request (which query shape costs what).
 */
import 'reflect-metadata';
import autocannon from 'autocannon';
import type { ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { Client, Pool } from 'pg';
import { DataSource } from 'typeorm';
import { cpuMsOf, LIST_PATHS, SEARCH_PATHS, startApiProcess, stopApi, withDb } from './api-common';
import { productionEntry } from './production-build';
import { dropQueueKeys } from './queue-keys';

const REDIS = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WARMUP = Number(process.env.BENCH_WARMUP_SECONDS ?? 20);
const CONCURRENCY = 10;
const NEEDS = Number(process.env.BENCH_NEEDS ?? 100_000);
const OFFERS = Number(process.env.BENCH_OFFERS ?? 10_000);

const log = (message: string) => process.stderr.write(`${message}\n`);

async function admin<T>(fn: (c: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: withDb('postgres') });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

const TITLES: Record<string, string[]> = {
  en: [
    'Marking machines for the',
    'Stockpile management training for the',
    'Record-keeping software for the',
    'Border control equipment for the',
    'Destruction of surplus weapons held by the',
    'Tracing capacity of the',
  ],
  fr: [
    'Marquage des armes de la',
    'Gestion des stocks de la',
    'Registre électronique des armes de la',
    'Contrôle des frontières de la',
    'Destruction des armes excédentaires de la',
  ],
  es: [
    'Marcaje de armas de la',
    'Gestión de arsenales de la',
    'Registro de armas de la',
    'Control fronterizo de la',
  ],
  ru: ['Маркировка оружия для', 'Управление запасами оружия для', 'Учёт оружия для'],
  ar: ['وسم الأسلحة لدى', 'إدارة مخزونات الأسلحة لدى', 'تدريب على تعقب الأسلحة لدى'],
  zh: ['警察武器标识', '武器库存管理', '武器登记软件'],
};
const TARGETS: Record<string, string[]> = {
  en: ['national police', 'armed forces', 'customs service', 'border guards', 'prison service'],
  fr: ['police nationale', 'gendarmerie', 'douane', 'armée de terre'],
  es: ['policía nacional', 'fuerzas armadas', 'aduana'],
  ru: ['полиции', 'таможни', 'пограничной службы'],
  ar: ['الشرطة الوطنية', 'الجمارك', 'القوات المسلحة'],
  zh: ['', ''],
};

const sqlArray = (values: string[]) =>
  `ARRAY[${values.map((v) => `'${v.replace(/'/g, "''")}'`).join(',')}]::text[]`;

async function seed(ds: DataSource, partyId: string): Promise<void> {
  await ds.query(`
    INSERT INTO party (type, name, country_code, active)
    SELECT 'state', c.names->>'en', c.alpha3, true FROM country c
    WHERE NOT EXISTS (SELECT 1 FROM party p WHERE p.country_code = c.alpha3)`);
  const langs = Object.keys(TITLES);
  const cases = (pick: Record<string, string[]>, seedExpr: string) =>
    `CASE lang ${langs
      .map((l) => `WHEN '${l}' THEN (${sqlArray(pick[l])})[1 + (${seedExpr}) % ${pick[l].length}]`)
      .join(' ')} END`;
  const started = Date.now();
  await ds.query(`
    WITH s AS (
      SELECT array_agg(id ORDER BY country_code) AS ids, array_agg(country_code ORDER BY country_code) AS cc,
             count(*)::int AS n FROM party WHERE type = 'state'),
    modules AS (SELECT array_agg(code ORDER BY code) AS codes, count(*)::int AS n FROM control_area WHERE kind = 'module'),
    types AS (SELECT array_agg(code ORDER BY code) AS codes, count(*)::int AS n FROM assistance_type),
    rows AS (
      SELECT g, (${sqlArray(langs)})[1 + (g * 7) % ${langs.length}] AS lang FROM generate_series(1, ${NEEDS}) g)
    INSERT INTO need (party_id, country_code, title, description, language, control_areas,
      assistance_types, frameworks, priority, rank, estimated_amount, estimated_currency,
      estimated_usd, usd_rate, rate_date, earliest_start, needed_by, visibility, status,
      filed_on_behalf, published_at, created_at, updated_at)
    SELECT s.ids[1 + g % s.n], s.cc[1 + g % s.n],
      ${cases(TITLES, 'g / 7')} || ' ' || ${cases(TARGETS, 'g / 3')} || ' ' || g,
      ${cases(TITLES, 'g / 5')} || ' ' || ${cases(TARGETS, 'g / 11')} || ': equipment, training and experts for project ' || g,
      lang,
      ARRAY[modules.codes[1 + g % modules.n], modules.codes[1 + (g / 3) % modules.n]],
      ARRAY[types.codes[1 + g % types.n]],
      CASE g % 3 WHEN 0 THEN ARRAY['PoA'] WHEN 1 THEN ARRAY['PoA','ITI'] ELSE ARRAY['ATT'] END,
      (ARRAY['high','medium','low'])[1 + (g / 2) % 3], NULL,
      (1000 + (g * 7919) % 2000000)::numeric, 'USD', (1000 + (g * 7919) % 2000000)::numeric, 1, '2025-01-01',
      DATE '2025-01-01' + (g % 300), DATE '2026-01-01' + (g % 900),
      (ARRAY['public','donors','secretariat'])[1 + g % 3],
      (ARRAY['published','published','published','partially_covered','draft','submitted','closed'])[1 + g % 7],
      false, now() - g * interval '1 minute',
      date_trunc('milliseconds', now() - g * interval '1 minute'), now()
    FROM rows, s, modules, types`);
  log(`seeded ${NEEDS} needs in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  await ds.query(
    `
    WITH modules AS (SELECT array_agg(code ORDER BY code) AS codes, count(*)::int AS n FROM control_area WHERE kind = 'module'),
    types AS (SELECT array_agg(code ORDER BY code) AS codes, count(*)::int AS n FROM assistance_type)
    INSERT INTO offer (party_id, title, description, control_areas, assistance_types,
      eligibility_groups, budget_total, budget_currency, total_usd, rate_date, start_date,
      end_date, languages, modality, status, created_at)
    SELECT $1, ${'(' + sqlArray(TITLES.en) + ')'}[1 + g % ${TITLES.en.length}] || ' partners ' || g,
      'Capacity offered: equipment, training and experts, round ' || g,
      ARRAY[modules.codes[1 + g % modules.n]], ARRAY[types.codes[1 + g % types.n]],
      CASE WHEN g % 4 = 0 THEN ARRAY['AFRICAN'] ELSE '{}'::text[] END,
      (10000 + g * 37)::numeric, 'USD', (10000 + g * 37)::numeric, '2025-01-01',
      DATE '2025-01-01' + (g % 300), DATE '2026-06-01' + (g % 600), ARRAY['en','fr'],
      (ARRAY['bilateral','trust_fund','experts','equipment'])[1 + g % 4],
      (ARRAY['active','active','active','draft','paused'])[1 + g % 5],
      date_trunc('milliseconds', now() - g * interval '1 minute')
    FROM generate_series(1, ${OFFERS}) g, modules, types`,
    [partyId],
  );
  // As autovacuum would leave it: GIN pending lists merged, statistics current.
  await ds.query('VACUUM ANALYZE need');
  await ds.query('VACUUM ANALYZE offer');
  await ds.query('ANALYZE');
  log(`seeded ${OFFERS} offers; total ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

interface Figures {
  p99: number;
  rps: number;
  errors: number;
  requests: number;
  /** CPU spent per request by the API process(es) and by the database backends serving them. */
  apiCpuMs: number;
  dbCpuMs: number;
}

/** The API process(es): the primary and, with API_WORKERS > 1, its live cluster workers. */
function apiPids(root: number): number[] {
  const pids = [root];
  try {
    const children = readFileSync(`/proc/${root}/task/${root}/children`, 'utf8').trim();
    if (children) pids.push(...children.split(' ').map(Number));
  } catch {
    // no children list: the primary alone
  }
  return pids;
}

interface Probe {
  api: () => number;
  db: () => Promise<number>;
}

async function load(
  url: string,
  token: string,
  paths: string[],
  probe: Probe,
  seconds = SECONDS,
): Promise<Figures> {
  let i = 0;
  const api0 = probe.api();
  const db0 = await probe.db();
  const result = await autocannon({
    url,
    connections: CONCURRENCY,
    duration: seconds,
    headers: { authorization: `Bearer ${token}` },
    requests: [
      {
        setupRequest: (req) => ({ ...req, path: paths[i++ % paths.length] }),
      },
    ],
  });
  const requests = Math.max(1, result.requests.total);
  return {
    p99: result.latency.p99,
    rps: Math.round(result.requests.average),
    errors: result.non2xx + result.errors,
    requests,
    apiCpuMs: Math.round(((probe.api() - api0) / requests) * 100) / 100,
    dbCpuMs: Math.round((((await probe.db()) - db0) / requests) * 100) / 100,
  };
}

/**
 * The warm-up's paths: one of each kind in turn, so that lists, searches and reads each make a
 * third of its requests. (Concatenated, the 1,000 read paths made 99 % of them, and the list
 * and search phases began with code and caches that had hardly run.)
 */
function interleave(kinds: string[][]): string[] {
  const out: string[] = [];
  const n = Math.max(...kinds.map((k) => k.length));
  for (let i = 0; i < n; i++) for (const k of kinds) out.push(k[i % k.length]);
  return out;
}

/**
 * The speed of this machine's CPU at the time of the run: milliseconds for a fixed piece of
 * single-threaded work (JSON serialisation and a SHA-1 of 64 MB), before the load phases. On
 * the shared 2-core VM the same work took 590–1000 ms within one idle hour, and every CPU and
 * latency figure moves with it: runs compare only at a similar value.
 */
function calibrationMs(): number {
  const page = {
    items: Array.from({ length: 50 }, (_, i) => ({
      id: `need-${i}`,
      title: 'Stockpile management training for the national police',
      amount: i * 1.5,
      areas: ['05.30', '05.50'],
    })),
  };
  const started = process.hrtime.bigint();
  let length = 0;
  for (let i = 0; i < 20_000; i++) length += JSON.stringify(page).length;
  createHash('sha1')
    .update(Buffer.alloc(64 << 20, length % 251))
    .digest();
  return Math.round(Number(process.hrtime.bigint() - started) / 1e6);
}

/** The naive baseline: queries straight on PostgreSQL at the same concurrency. */
async function naive(
  pool: Pool,
  queries: [string, unknown[]][],
): Promise<Omit<Figures, 'apiCpuMs' | 'dbCpuMs'>> {
  const latencies: number[] = [];
  const until = Date.now() + SECONDS * 1000;
  let i = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (Date.now() < until) {
        const [sql, params] = queries[i++ % queries.length];
        const t = process.hrtime.bigint();
        await pool.query(sql, params);
        latencies.push(Number(process.hrtime.bigint() - t) / 1e6);
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  return {
    p99: Math.round(latencies[Math.floor(latencies.length * 0.99)] * 10) / 10,
    rps: Math.round(latencies.length / SECONDS),
    errors: 0,
    requests: latencies.length,
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts the API as its own process, as it runs in production (`node dist/main.js`, built by
 * `productionEntry`), so the load generator does not share its event loop.
 * BENCH_API_NODE_ARGS adds Node flags
 * (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`).
 */
async function main(): Promise<void> {
  const reuse = process.env.BENCH_DB;
  const name = reuse ?? `salw_bench_${randomBytes(4).toString('hex')}`;
  const dbUrl = withDb(name);
  if (!reuse) await admin((c) => c.query(`CREATE DATABASE "${name}"`));
  log(`database ${name}${reuse ? ' (reused: BENCH_DB)' : ''}`);
  let api: ChildProcess | undefined;
  let pool: Pool | undefined;
  const queuePrefix = `bench${randomBytes(3).toString('hex')}`;
  try {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DATABASE_URL: dbUrl,
      REDIS_URL: REDIS,
      JWT_SECRET: process.env.JWT_SECRET ?? randomBytes(32).toString('hex'),
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info',
      QUEUE_PREFIX: queuePrefix,
      SMTP_URL: process.env.SMTP_URL ?? 'smtp://127.0.0.1:1',
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      // The production default (one process) unless told otherwise: on this idle 2-core machine
      // one process costs a third less CPU per request than two and serves more, since
      // PostgreSQL and the load generator need the other core (docs/API-SPEED.md).
      API_WORKERS: process.env.API_WORKERS ?? '1',
      PORT: String(await freePort()),
    };
    Object.assign(process.env, { DATABASE_URL: dbUrl });
    const { typeormOptions } = await import('../../src/database/typeorm-options');
    const ds = new DataSource(typeormOptions({ url: dbUrl }));
    await ds.initialize();
    await ds.runMigrations({ transaction: 'each' });
    const party = async (type: string, partyName: string): Promise<string> => {
      const [found] = (await ds.query(`SELECT id FROM party WHERE type = $1 AND name = $2`, [
        type,
        partyName,
      ])) as { id: string }[];
      if (found) return found.id;
      const [made] = (await ds.query(
        `INSERT INTO party (type, name) VALUES ($1, $2) RETURNING id`,
        [type, partyName],
      )) as { id: string }[];
      return made.id;
    };
    const unoda = await party('international_organisation', 'UNODA');
    const fund = await party('trust_fund', 'UNSCAR');
    const [{ n }] = (await ds.query(`SELECT count(*)::int AS n FROM need`)) as { n: number }[];
    if (n === 0) await seed(ds, fund);
    else log(`${n} needs already there`);

    api = await startApiProcess(
      productionEntry('main'),
      env,
      (process.env.BENCH_API_NODE_ARGS ?? '').split(' ').filter(Boolean),
    );
    const apiPid = api.pid!;
    const base = `http://127.0.0.1:${env.PORT}`;

    const { PasswordService } = await import('../../src/modules/auth/password.service');
    const password = `${randomBytes(16).toString('base64url')}#7`;
    const email = `bench-${randomBytes(3).toString('hex')}@example.org`;
    await ds.query(
      `INSERT INTO app_user (party_id, email, name, password_hash, roles, language, active)
       VALUES ($1, $2, 'Bench secretariat', $3, ARRAY['secretariat'], 'en', true)`,
      [unoda, email, await new PasswordService().hash(password)],
    );
    const login = await fetch(`${base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    });
    const { accessToken } = (await login.json()) as { accessToken: string };
    if (!accessToken) throw new Error(`login failed: ${login.status}`);

    // CPU of the database backends the API opened (application_name of typeorm-options).
    const backendPids = async (): Promise<number[]> =>
      (
        (await ds.query(
          `SELECT pid FROM pg_stat_activity WHERE datname = $1 AND application_name = 'salw-platform' AND pid <> pg_backend_pid()`,
          [name],
        )) as { pid: number }[]
      ).map((r) => r.pid);
    const probe: Probe = {
      api: () => apiPids(apiPid).reduce((sum, pid) => sum + cpuMsOf(pid), 0),
      db: async () => (await backendPids()).reduce((sum, pid) => sum + cpuMsOf(pid), 0),
    };

    // The API's own CPU with no request in flight (timers, pool and queue keep-alives): the
    // per-request CPU figures below include their share of it.
    const idle0 = probe.api();
    await new Promise((r) => setTimeout(r, 3000));
    log(`api idle cpu: ${Math.round((probe.api() - idle0) / 3)} ms/s`);

    const ids: { id: string }[] = await ds.query(
      `SELECT id FROM need ORDER BY random() LIMIT 1000`,
    );
    const listPaths = LIST_PATHS;
    const searchPaths = SEARCH_PATHS;
    const readPaths = ids.map((r) => `/api/v1/needs/${r.id}`);
    // Warm up the connection pool and the caches.
    for (const p of [...listPaths, ...searchPaths, ...readPaths.slice(0, 20)]) {
      await fetch(`${base}${p}`, { headers: { authorization: `Bearer ${accessToken}` } });
    }

    // BENCH_ONLY=read (or list,search,relevance): only those phases, no baseline (for profiling).
    const only = process.env.BENCH_ONLY?.split(',');
    const skipped: Figures = {
      p99: NaN,
      rps: NaN,
      errors: 0,
      requests: 0,
      apiCpuMs: NaN,
      dbCpuMs: NaN,
    };
    // V8 is still compiling the hot paths of a process that has just started: in `perf`
    // profiles of the API under the list's load, TurboFan took ~14 % of its CPU in the first
    // seconds, ~9 % from the 5th to the 17th and 0.5 % from the 20th on. A long-running server
    // is past that, so every kind of request runs, mixed and unmeasured, for WARMUP seconds
    // before the measured phases: a third each (`interleave`). With the read paths making 99 %
    // of the warm-up, eight 10-second search phases in a row on one kept database went from
    // 1.67 to ~1.3 ms of API CPU per search (PostgreSQL 1.72 to ~1.55) over the first four,
    // at a steady CPU gauge; warmed a third each, the first phase is at the steady figure.
    if (WARMUP > 0) {
      await load(base, accessToken, interleave([listPaths, searchPaths, readPaths]), probe, WARMUP);
    }
    const phase = (key: string, paths: string[]) =>
      only && !only.includes(key) ? skipped : load(base, accessToken, paths, probe);
    if (process.env.BENCH_PER_PATH) {
      for (const p of [...listPaths, ...searchPaths]) {
        const f = await load(base, accessToken, [p], probe);
        log(`${f.p99}\t${f.rps}\t${f.apiCpuMs}\t${f.dbCpuMs}\t${p}`);
      }
    }
    const calibration = calibrationMs();
    const list = await phase('list', listPaths);
    const search = await phase('search', searchPaths);
    const read = await phase('read', readPaths);
    // Reported apart: ranking every match (thousands per phrase in this synthetic data).
    const relevance = await phase(
      'relevance',
      searchPaths.map((p) => `${p}&sort=relevance`),
    );

    pool = new Pool({ connectionString: dbUrl, max: CONCURRENCY });
    const africa: { cc: string[] }[] = await ds.query(
      `SELECT array_agg(alpha3) AS cc FROM country WHERE region_code = '002'`,
    );
    const baseline = !only;
    const naiveList = !baseline
      ? skipped
      : await naive(pool, [
          [
            `SELECT * FROM need WHERE country_code = ANY($1) AND status = 'published'
           ORDER BY created_at DESC OFFSET 2000 LIMIT 50`,
            [africa[0].cc],
          ],
        ]);
    const naiveSearch = !baseline
      ? skipped
      : await naive(pool, [
          [
            `SELECT * FROM need WHERE title ILIKE $1 OR description ILIKE $1
           ORDER BY created_at DESC LIMIT 50`,
            ['%marquage%'],
          ],
          [
            `SELECT * FROM need WHERE title ILIKE $1 OR description ILIKE $1
           ORDER BY created_at DESC LIMIT 50`,
            ['%stockpile management%'],
          ],
        ]);
    await ds.query(`DELETE FROM app_user WHERE email = $1`, [email]).catch(() => undefined);
    await ds.destroy();

    const lines: [string, number | string][] = [
      ['api_workers', Number(env.API_WORKERS)],
      ['list_p99_ms', list.p99],
      ['search_p99_ms', search.p99],
      ['read_p99_ms', read.p99],
      ['list_rps', list.rps],
      ['search_rps', search.rps],
      ['read_rps', read.rps],
      ['search_relevance_p99_ms', relevance.p99],
      ['search_relevance_rps', relevance.rps],
      ['list_api_cpu_ms', list.apiCpuMs],
      ['list_db_cpu_ms', list.dbCpuMs],
      ['search_api_cpu_ms', search.apiCpuMs],
      ['search_db_cpu_ms', search.dbCpuMs],
      ['read_api_cpu_ms', read.apiCpuMs],
      ['read_db_cpu_ms', read.dbCpuMs],
      ['search_relevance_api_cpu_ms', relevance.apiCpuMs],
      ['search_relevance_db_cpu_ms', relevance.dbCpuMs],
      ['errors', list.errors + search.errors + read.errors + relevance.errors],
      ['naive_offset_list_p99_ms', naiveList.p99],
      ['naive_offset_list_rps', naiveList.rps],
      ['naive_ilike_search_p99_ms', naiveSearch.p99],
      ['naive_ilike_search_rps', naiveSearch.rps],
      ['cpu_calibration_ms', calibration],
    ];
    for (const [k, v] of lines) process.stdout.write(`${k}: ${v}\n`);
  } finally {
    await pool?.end().catch(() => undefined);
    if (api) await stopApi(api).catch(() => undefined);
    await dropQueueKeys(REDIS, queuePrefix).catch(() => undefined);
    if (process.env.BENCH_KEEP_DB || reuse) log(`kept ${name} (reuse it with BENCH_DB=${name})`);
    else {
      await admin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
      log(`dropped ${name}`);
    }
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
