/**
 * In-process harness for the indexed path (no workers, no writes), on a database the
 * benchmark kept: `BENCH_KEEP_DB=1 npm run bench:matching -- --needs 10000 --offers 1000`, then
 *   DB=postgres://postgres@127.0.0.1:5432/<kept name> [N=300] [REPS=3] [MODE=fast] \
 *     node -r ts-node/register/transpile-only test/bench/matching.profile.ts
 * Prints ms per need of the naive all-pairs scorer and of candidate generation on N open
 * needs (add `--cpu-prof` to node for a profile; MODE=fast skips the naive run).
 */
import 'reflect-metadata';
import { DataSource } from 'typeorm';
const DB = process.env.DB!;
async function main() {
  const { typeormOptions } = await import('../../src/database/typeorm-options');
  const ds = new DataSource(typeormOptions({ url: DB }));
  await ds.initialize();
  const { naiveTopForNeed } = await import('../../src/modules/matching/engine/candidates');
  const { emptyOfferIndex } = await import('../../src/modules/matching/offer-index.service');
  const { offerTerms, prepareNeed, prepareOffer } =
    await import('../../src/modules/matching/engine/prepared');
  const { loadNeeds, loadOffers, loadPriorEngagement } =
    await import('../../src/modules/matching/facts');
  const { effectiveWeights } = await import('../../src/modules/matching/matching.service');
  const index = await emptyOfferIndex(ds.manager);
  const allOffers = (await loadOffers(ds.manager, 'true', [])).map((o) =>
    prepareOffer(o.facts, o.version),
  );
  for (const o of allOffers) index.upsert(o);
  const prior = await loadPriorEngagement(ds.manager, [
    ...new Set(allOffers.map((o) => o.facts.partyId)),
  ]);
  const N = Number(process.env.N ?? 300);
  const sample = await loadNeeds(
    ds.manager,
    `n.status IN ('published','partially_covered') AND n.id IN (SELECT id FROM need WHERE status IN ('published','partially_covered') ORDER BY md5(id::text) LIMIT $1)`,
    [N],
  );
  const opts = {
    k: 10,
    minScore: 0.2,
    weights: effectiveWeights(),
    todayMs: Date.parse(new Date().toISOString().slice(0, 10)),
    prior: (p: string) => prior.get(p),
  };
  for (const o of allOffers)
    for (const l of new Set(sample.map((n) => n.facts.language))) offerTerms(o, l);
  for (const n of sample.slice(0, 5)) {
    naiveTopForNeed(n.facts, allOffers, opts);
    index.topForNeed(prepareNeed(n.facts), opts);
  }
  const mode = process.env.MODE ?? 'both';
  let naive: any[] = [];
  let t = performance.now();
  if (mode !== 'fast') naive = sample.map((n) => naiveTopForNeed(n.facts, allOffers, opts));
  const naiveMs = performance.now() - t;
  const reps = Number(process.env.REPS ?? 3);
  let fast: any[] = [];
  let fastMin = Infinity;
  t = performance.now();
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    fast = sample.map((n) => index.topForNeed(prepareNeed(n.facts), opts));
    fastMin = Math.min(fastMin, performance.now() - t0);
    if (process.env.VERBOSE) console.log(((performance.now() - t0) / sample.length).toFixed(3));
  }
  const fastMs = (performance.now() - t) / reps;
  t = performance.now();
  for (let r = 0; r < reps; r++) sample.map((n) => prepareNeed(n.facts));
  const prepMs = (performance.now() - t) / reps;
  const identical =
    mode === 'fast' ||
    fast.every(
      (r, i) =>
        JSON.stringify(r.top.map((x: any) => ({ id: x.offer.facts.id, score: x.scored.score }))) ===
        JSON.stringify(naive[i]),
    );
  const cons = fast.reduce((s, r) => s + r.considered, 0),
    sc = fast.reduce((s, r) => s + r.scored, 0);
  console.log(
    JSON.stringify({
      n: sample.length,
      offers: allOffers.length,
      naiveMsPerNeed: +(naiveMs / sample.length).toFixed(3),
      fastMsPerNeed: +(fastMs / sample.length).toFixed(3),
      fastMinMsPerNeed: +(fastMin / sample.length).toFixed(3),
      prepareNeedMs: +(prepMs / sample.length).toFixed(3),
      speedup: +(naiveMs / fastMs).toFixed(1),
      identical,
      considered: cons / sample.length,
      scored: sc / sample.length,
    }),
  );
  await ds.destroy();
}
main();
