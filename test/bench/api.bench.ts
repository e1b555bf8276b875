/**
 * `npm run bench:api`: creates a database of its own on the server of DATABASE_URL (or
 * postgres://postgres@127.0.0.1:5432), migrates it, seeds 100,000 needs and 10,000 offers
 * across the 195 States with SQL, boots the API on a free port and measures, with autocannon
 * at concurrency 10 for BENCH_SECONDS (default 10) each, as a secretariat user:
 * a filtered list, a full-text search and a single need read. Prints one figure per line
 * (contract "Benchmarks and evaluations"), then a naive baseline measured in the same run
 * (the same list with OFFSET pagination and the search with ILIKE, straight on PostgreSQL at
 * the same concurrency — no HTTP, so the baseline is flattered). Drops the database at the end.
 */
import 'reflect-metadata';
import autocannon from 'autocannon';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Client, Pool } from 'pg';
import { DataSource } from 'typeorm';

const SERVER = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432';
const REDIS = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONCURRENCY = 10;
const NEEDS = Number(process.env.BENCH_NEEDS ?? 100_000);
const OFFERS = Number(process.env.BENCH_OFFERS ?? 10_000);

const withDb = (name: string) => {
  const url = new URL(SERVER);
  url.pathname = `/${name}`;
  return url.toString();
};
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
  await ds.query('ANALYZE');
  log(`seeded ${OFFERS} offers; total ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

interface Figures {
  p99: number;
  rps: number;
  errors: number;
}

async function load(url: string, token: string, paths: string[]): Promise<Figures> {
  let i = 0;
  const result = await autocannon({
    url,
    connections: CONCURRENCY,
    duration: SECONDS,
    headers: { authorization: `Bearer ${token}` },
    requests: [
      {
        setupRequest: (req) => ({ ...req, path: paths[i++ % paths.length] }),
      },
    ],
  });
  return {
    p99: result.latency.p99,
    rps: Math.round(result.requests.average),
    errors: result.non2xx + result.errors,
  };
}

/** The naive baseline: queries straight on PostgreSQL at the same concurrency. */
async function naive(pool: Pool, queries: [string, unknown[]][]): Promise<Figures> {
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
  };
}

async function main(): Promise<void> {
  const name = `salw_bench_${randomBytes(4).toString('hex')}`;
  const dbUrl = withDb(name);
  await admin((c) => c.query(`CREATE DATABASE "${name}"`));
  log(`database ${name}`);
  let app: { close(): Promise<void> } | undefined;
  let pool: Pool | undefined;
  try {
    Object.assign(process.env, {
      DATABASE_URL: dbUrl,
      REDIS_URL: REDIS,
      JWT_SECRET: process.env.JWT_SECRET ?? randomBytes(32).toString('hex'),
      LOG_LEVEL: 'silent',
      QUEUE_PREFIX: `bench${randomBytes(3).toString('hex')}`,
      SMTP_URL: process.env.SMTP_URL ?? 'smtp://127.0.0.1:1',
      NODE_ENV: 'production',
    });
    const { typeormOptions } = await import('../../src/database/typeorm-options');
    const ds = new DataSource(typeormOptions({ url: dbUrl }));
    await ds.initialize();
    await ds.runMigrations({ transaction: 'each' });
    const [unoda] = await ds.query(
      `INSERT INTO party (type, name) VALUES ('international_organisation', 'UNODA') RETURNING id`,
    );
    const [fund] = await ds.query(
      `INSERT INTO party (type, name) VALUES ('trust_fund', 'UNSCAR') RETURNING id`,
    );
    await seed(ds, fund.id);

    const { createApi } = await import('../../src/bootstrap');
    const api = await createApi();
    app = api;
    await api.listen(0, '127.0.0.1');
    const port = (api.getHttpServer().address() as AddressInfo).port;
    const base = `http://127.0.0.1:${port}`;

    const { PasswordService } = await import('../../src/modules/auth/password.service');
    const password = `${randomBytes(16).toString('base64url')}#7`;
    const email = `bench-${randomBytes(3).toString('hex')}@example.org`;
    await ds.query(
      `INSERT INTO app_user (party_id, email, name, password_hash, roles, language, active)
       VALUES ($1, $2, 'Bench secretariat', $3, ARRAY['secretariat'], 'en', true)`,
      [unoda.id, email, await api.get(PasswordService).hash(password)],
    );
    const login = await fetch(`${base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    });
    const { accessToken } = (await login.json()) as { accessToken: string };
    if (!accessToken) throw new Error(`login failed: ${login.status}`);

    const ids: { id: string }[] = await ds.query(
      `SELECT id FROM need ORDER BY random() LIMIT 1000`,
    );
    const listPaths = [
      '/api/v1/needs?region=Africa&controlArea=05&status=published&limit=50',
      '/api/v1/needs?group=GRULAC&assistanceType=training&minCost=100000&limit=50',
      '/api/v1/needs?region=Asia&sort=priority&limit=50',
      '/api/v1/needs?controlArea=05.30&from=2026-06-01&to=2026-12-31&sort=cost&limit=50',
    ];
    const searchPaths = [
      '/api/v1/needs?q=marquage&limit=50',
      '/api/v1/needs?q=stockpile%20management&limit=50',
      '/api/v1/needs?q=gesti%C3%B3n%20de%20arsenales&limit=50',
      '/api/v1/needs?q=machnes&limit=50',
    ];
    const readPaths = ids.map((r) => `/api/v1/needs/${r.id}`);
    // Warm up the connection pool and the caches.
    for (const p of [...listPaths, ...searchPaths, ...readPaths.slice(0, 20)]) {
      await fetch(`${base}${p}`, { headers: { authorization: `Bearer ${accessToken}` } });
    }

    const list = await load(base, accessToken, listPaths);
    const search = await load(base, accessToken, searchPaths);
    const read = await load(base, accessToken, readPaths);
    // Reported apart: ranking every match (thousands per phrase in this synthetic data).
    const relevance = await load(
      base,
      accessToken,
      searchPaths.map((p) => `${p}&sort=relevance`),
    );

    pool = new Pool({ connectionString: dbUrl, max: CONCURRENCY });
    const africa: { cc: string[] }[] = await ds.query(
      `SELECT array_agg(alpha3) AS cc FROM country WHERE region_code = '002'`,
    );
    const naiveList = await naive(pool, [
      [
        `SELECT * FROM need WHERE country_code = ANY($1) AND status = 'published'
           ORDER BY created_at DESC OFFSET 2000 LIMIT 50`,
        [africa[0].cc],
      ],
    ]);
    const naiveSearch = await naive(pool, [
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
    await ds.destroy();

    const lines: [string, number | string][] = [
      ['list_p99_ms', list.p99],
      ['search_p99_ms', search.p99],
      ['read_p99_ms', read.p99],
      ['list_rps', list.rps],
      ['search_rps', search.rps],
      ['read_rps', read.rps],
      ['search_relevance_p99_ms', relevance.p99],
      ['search_relevance_rps', relevance.rps],
      ['errors', list.errors + search.errors + read.errors + relevance.errors],
      ['naive_offset_list_p99_ms', naiveList.p99],
      ['naive_offset_list_rps', naiveList.rps],
      ['naive_ilike_search_p99_ms', naiveSearch.p99],
      ['naive_ilike_search_rps', naiveSearch.rps],
    ];
    for (const [k, v] of lines) process.stdout.write(`${k}: ${v}\n`);
  } finally {
    await pool?.end().catch(() => undefined);
    await app?.close().catch(() => undefined);
    if (process.env.BENCH_KEEP_DB) log(`kept ${name} (BENCH_KEEP_DB)`);
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
