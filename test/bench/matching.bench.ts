/**
 * `npm run bench:matching [-- --needs 100000 --offers 10000 --workers 2 --sample 300 --rounds 5
 *   --publish 40]`
 *
 * Creates a database of its own (DATABASE_URL's server, or postgres://postgres@127.0.0.1:5432),
 * migrates it and seeds a synthetic world (test/bench/world.ts: every State, 40 donors,
 * six languages). Then:
 *  1. full re-match: the API (in this process) takes `POST /matching/rematch`; `--workers`
 *     worker processes (`node dist/worker.js`, as deployed, built first) run the chunks;
 *     timed to completion.
 *     `peak_rss_mb` is the largest peak resident memory of a worker;
 *  2. candidate generation against a naive all-pairs scorer (every pair through every rule
 *     and the full score), on `--sample` open needs against all offers, in this process, in
 *     `--rounds` alternating rounds (median round of each path): `speedup_vs_naive`, and
 *     `identical_top_k` (both give the same top K for every need);
 *  3. incremental: `--publish` needs created and published through the API, each timed from
 *     the `publish` request to its suggestions stored (outbox → relay → events queue →
 *     matching job in a worker), with every offer present.
 * Prints one `name: value` line per figure; drops the database at the end.
 */
import 'reflect-metadata';
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { productionEntry } from './production-build';
import { dropQueueKeys } from './queue-keys';
import { seedWorld } from './world';

const SERVER = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432';
const REDIS = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const ROOT = join(__dirname, '..', '..');

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isFinite(v) || v < 0) throw new Error(`--${name} wants a number`);
  return v;
}
const NEEDS = flag('needs', 100_000);
const OFFERS = flag('offers', 10_000);
const WORKERS = flag('workers', 2);
const SAMPLE = flag('sample', 300);
const PUBLISH = flag('publish', 40);
const ROUNDS = Math.max(1, flag('rounds', 5));
/** `--prof DIR`: the worker processes write V8 logs there (`node --prof-process` reads them). */
const PROF_DIR = (() => {
  const i = process.argv.indexOf('--prof');
  return i < 0 ? undefined : process.argv[i + 1];
})();

const withDb = (name: string) => {
  const url = new URL(SERVER);
  url.pathname = `/${name}`;
  return url.toString();
};
const log = (message: string) => process.stderr.write(`${message}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function admin<T>(fn: (c: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: withDb('postgres') });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Peak resident memory (VmHWM) of a process, in MB. */
function peakRssMb(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : 0;
  } catch {
    return 0;
  }
}

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};

async function main(): Promise<void> {
  const name = `salw_bench_${randomBytes(4).toString('hex')}`;
  const dbUrl = withDb(name);
  await admin((c) => c.query(`CREATE DATABASE "${name}"`));
  log(`database ${name}`);
  const children: ChildProcess[] = [];
  let app: { close(): Promise<void> } | undefined;
  let ds: DataSource | undefined;
  const queuePrefix = `bench${randomBytes(3).toString('hex')}`;
  try {
    Object.assign(process.env, {
      DATABASE_URL: dbUrl,
      REDIS_URL: REDIS,
      JWT_SECRET: process.env.JWT_SECRET ?? randomBytes(32).toString('hex'),
      LOG_LEVEL: 'silent',
      QUEUE_PREFIX: queuePrefix,
      SMTP_URL: process.env.SMTP_URL ?? 'smtp://127.0.0.1:1',
      NODE_ENV: 'production',
      WRITE_RATE_LIMIT_PER_MIN: '100000',
    });
    const { typeormOptions } = await import('../../src/database/typeorm-options');
    ds = new DataSource(typeormOptions({ url: dbUrl }));
    await ds.initialize();
    await ds.runMigrations({ transaction: 'each' });
    const [unoda] = await ds.query(
      `INSERT INTO party (type, name) VALUES ('international_organisation', 'UNODA') RETURNING id`,
    );
    let t = Date.now();
    await seedWorld(ds, { needs: NEEDS, offers: OFFERS });
    log(`seeded ${NEEDS} needs and ${OFFERS} offers in ${((Date.now() - t) / 1000).toFixed(1)} s`);

    const { createApi } = await import('../../src/bootstrap');
    const api = await createApi();
    app = api;
    await api.listen(0, '127.0.0.1');
    const base = `http://127.0.0.1:${(api.getHttpServer().address() as AddressInfo).port}`;
    const { PasswordService } = await import('../../src/modules/auth/password.service');
    const passwords = api.get(PasswordService);
    const user = async (partyId: string, roles: string[]) => {
      const password = `${randomBytes(16).toString('base64url')}#7`;
      const email = `bench-${randomBytes(4).toString('hex')}@example.org`;
      await ds!.query(
        `INSERT INTO app_user (party_id, email, name, password_hash, roles, language, active)
         VALUES ($1, $2, 'Bench user', $3, $4, 'en', true)`,
        [partyId, email, await passwords.hash(password), roles],
      );
      const res = await fetch(`${base}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password }),
      });
      const { accessToken } = (await res.json()) as { accessToken: string };
      if (!accessToken) throw new Error(`login failed: ${res.status}`);
      return accessToken;
    };
    const secretariat = await user(unoda.id, ['secretariat']);
    const [gha] = await ds.query(`SELECT id FROM party WHERE country_code = 'GHA'`);
    const state = await user(gha.id, ['national_contact']);
    const call = async (
      method: string,
      path: string,
      token: string,
      body?: object,
      etag?: number,
    ) => {
      const send = () =>
        fetch(`${base}/api/v1${path}`, {
          method,
          headers: {
            authorization: `Bearer ${token}`,
            'content-type': 'application/json',
            ...(etag !== undefined ? { 'if-match': `"${etag}"` } : {}),
          },
          body: body ? JSON.stringify(body) : undefined,
        });
      // A kept-alive socket the server closed meanwhile fails once: send again.
      const res = await send().catch(() => send());
      const json = (await res.json()) as Record<string, any>;
      if (res.status >= 300)
        throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
      return json;
    };

    // Seeded rows bypassed the outbox: mark them matched so the workers' start-up reconciler
    // leaves them to the full re-match measured below.
    await ds.query(`UPDATE need SET matched_version = version`);
    await ds.query(`UPDATE offer SET matched_version = version`);
    // Workers, as deployed: separate processes.
    const env = { ...process.env, WORKER_CONCURRENCY: '2', PATH: process.env.PATH };
    for (let i = 0; i < WORKERS; i++) {
      children.push(
        spawn(
          process.execPath,
          [
            ...(PROF_DIR
              ? ['--prof', '--no-logfile-per-isolate', `--logfile=${PROF_DIR}/worker-${i}.log`]
              : []),
            productionEntry('worker'),
          ],
          {
            cwd: ROOT,
            env,
            stdio: ['ignore', 'ignore', 'inherit'],
          },
        ),
      );
    }
    const { QueueService } = await import('../../src/queue/queue.service');
    const queue = api.get(QueueService).queue('matching');
    const deadline = Date.now() + 120_000;
    while ((await queue.getWorkersCount()) < WORKERS) {
      if (Date.now() > deadline) throw new Error('workers did not start');
      await sleep(200);
    }

    // 1. Full re-match.
    const [{ open, matchable }] = await ds.query(
      `SELECT (SELECT count(*)::int FROM need WHERE status IN ('published','partially_covered')) AS open,
              (SELECT count(*)::int FROM offer WHERE status = 'active' AND remaining_usd > 0) AS matchable`,
    );
    log(`full re-match: ${open} open needs x ${matchable} active offers, ${WORKERS} worker(s)`);
    t = Date.now();
    const { jobId } = await call('POST', '/matching/rematch', secretariat);
    let status: Record<string, any>;
    let lastPercent = -1;
    let needsPhaseS: number | undefined;
    for (;;) {
      status = await call('GET', `/jobs/${jobId}`, secretariat);
      if (needsPhaseS === undefined && status.progress?.phase && status.progress.phase !== 'needs')
        needsPhaseS = (Date.now() - t) / 1000;
      if (status.state === 'completed' || status.state === 'failed') break;
      const p = status.progress?.percent ?? 0;
      if (p >= lastPercent + 10) {
        log(
          `  ${p}% (${status.progress?.chunksDone ?? 0}/${status.progress?.chunksTotal ?? '?'} chunks)`,
        );
        lastPercent = p;
      }
      await sleep(200);
    }
    const fullS = (Date.now() - t) / 1000;
    if (status.state !== 'completed') throw new Error(`rematch failed: ${status.error}`);
    const result = status.result as {
      pairsConsidered: number;
      pairsScored: number;
      suggestionsKept: number;
      chunks: number;
    };
    const peak = Math.max(...children.map((c) => peakRssMb(c.pid!)));
    const [{ rows }] = await ds.query(`SELECT count(*)::int AS rows FROM match_suggestion`);
    log(
      `  ${rows} suggestions stored in ${result.chunks} chunks, ${fullS.toFixed(1)} s, ${result.pairsConsidered} candidate pairs`,
    );

    // 2. Naive all-pairs scorer vs candidate generation, same sample, this process.
    const { naiveTopForNeed } = await import('../../src/modules/matching/engine/candidates');
    const { emptyOfferIndex } = await import('../../src/modules/matching/offer-index.service');
    const { offerTerms, prepareNeed, prepareOffer } =
      await import('../../src/modules/matching/engine/prepared');
    const { loadNeeds, loadOffers, loadPriorEngagement } =
      await import('../../src/modules/matching/facts');
    const { MatchingService } = await import('../../src/modules/matching/matching.service');
    const { AppConfig } = await import('../../src/config/app-config');
    const config = api.get(AppConfig);
    const weights = api.get(MatchingService).weights;
    const index = await emptyOfferIndex(ds.manager);
    const allOffers = (await loadOffers(ds.manager, 'true', [])).map((o) =>
      prepareOffer(o.facts, o.version),
    );
    for (const o of allOffers) index.upsert(o);
    const prior = await loadPriorEngagement(ds.manager, [
      ...new Set(allOffers.map((o) => o.facts.partyId)),
    ]);
    const sample = await loadNeeds(
      ds.manager,
      `n.status IN ('published','partially_covered') AND n.id IN (SELECT id FROM need WHERE status IN ('published','partially_covered') ORDER BY md5(id::text) LIMIT $1)`,
      [SAMPLE],
    );
    const opts = {
      k: config.env.MATCH_TOP_K,
      minScore: config.env.MATCH_MIN_SCORE,
      weights,
      todayMs: Date.parse(new Date().toISOString().slice(0, 10)),
      prior: (p: string) => prior.get(p),
    };
    // Warm both paths. Offer terms are cached per language on the prepared offers: compute
    // them for every language first, or whichever path runs first pays for them all.
    for (const o of allOffers)
      for (const language of new Set(sample.map((n) => n.facts.language))) offerTerms(o, language);
    for (const n of sample.slice(0, 20)) {
      naiveTopForNeed(n.facts, allOffers, opts);
      index.topForNeed(prepareNeed(n.facts), opts);
    }
    // `--rounds` rounds, the two paths alternating; each path's median round is reported (one
    // round alone moved by ±40 % on this virtual machine, for either path).
    let naive: ReturnType<typeof naiveTopForNeed>[] = [];
    let fast: ReturnType<typeof index.topForNeed>[] = [];
    const naiveRounds: number[] = [];
    const fastRounds: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      t = performance.now();
      naive = sample.map((n) => naiveTopForNeed(n.facts, allOffers, opts));
      naiveRounds.push(performance.now() - t);
      t = performance.now();
      fast = sample.map((n) => index.topForNeed(prepareNeed(n.facts), opts));
      fastRounds.push(performance.now() - t);
    }
    const naiveMs = percentile(naiveRounds, 50);
    const fastMs = percentile(fastRounds, 50);
    const identical = fast.every(
      (r, i) =>
        JSON.stringify(r.top.map((x) => ({ id: x.offer.facts.id, score: x.scored.score }))) ===
        JSON.stringify(naive[i]),
    );

    // 3. Incremental: publish → suggestions stored, through outbox, relay, queue and worker.
    const latencies: number[] = [];
    for (let i = 0; i < PUBLISH; i++) {
      const need = await call('POST', '/needs', state, {
        title: `Stockpile management and marking for the national police ${i}`,
        description: 'Armoury security, weapons marking and record-keeping training.',
        language: 'en',
        controlAreas: [['05.20', '05.30', '05.31', 'AMMO'][i % 4]],
        assistanceTypes: [['equipment', 'training', 'technical'][i % 3]],
        frameworks: ['PoA'],
        priority: 'high',
        estimatedCost: { amount: 50_000 + i * 10_000, currency: 'USD' },
        earliestStart: '2026-01-01',
        neededBy: '2027-06-30',
        visibility: 'public',
      });
      const submitted = await call(
        'POST',
        `/needs/${need.id}/submit`,
        state,
        undefined,
        need.version,
      );
      const started = performance.now();
      const published = await call(
        'POST',
        `/needs/${need.id}/publish`,
        secretariat,
        undefined,
        submitted.version,
      );
      for (;;) {
        const [row] = await ds.query(`SELECT matched_version FROM need WHERE id = $1`, [need.id]);
        if (row.matched_version === published.version) break;
        if (performance.now() - started > 30_000) throw new Error('incremental match timed out');
        await sleep(2);
      }
      latencies.push(performance.now() - started);
    }

    const lines: [string, number | string | boolean][] = [
      ['needs', NEEDS],
      ['offers', OFFERS],
      ['open_needs', open],
      ['active_offers', matchable],
      ['workers', WORKERS],
      ['full_rematch_s', Math.round(fullS * 10) / 10],
      ['needs_phase_s', Math.round((needsPhaseS ?? fullS) * 10) / 10],
      ['pairs_per_s', Math.round((open * matchable) / fullS)],
      [
        'candidate_share',
        Math.round((result.pairsConsidered / (open * matchable)) * 10_000) / 10_000,
      ],
      ['scored_share', Math.round((result.pairsScored / (open * matchable)) * 10_000) / 10_000],
      ['suggestions_stored', rows],
      ['peak_rss_mb', peak],
      ['incremental_p50_ms', Math.round(percentile(latencies, 50))],
      ['incremental_p95_ms', Math.round(percentile(latencies, 95))],
      ['naive_sample_needs', sample.length],
      ['naive_ms_per_need', Math.round((naiveMs / sample.length) * 100) / 100],
      ['indexed_ms_per_need', Math.round((fastMs / sample.length) * 1000) / 1000],
      ['speedup_vs_naive', Math.round((naiveMs / fastMs) * 10) / 10],
      ['identical_top_k', identical],
    ];
    for (const [k, v] of lines) process.stdout.write(`${k}: ${v}\n`);
  } finally {
    await app?.close().catch(() => undefined);
    for (const c of children) {
      c.kill('SIGTERM');
      await new Promise((r) => (c.exitCode !== null ? r(null) : c.once('exit', r)));
    }
    await ds?.destroy().catch(() => undefined);
    await dropQueueKeys(REDIS, queuePrefix).catch(() => undefined);
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
