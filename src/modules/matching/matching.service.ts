import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { v7 } from 'uuid';
import { plainArrayLiteral, textArrayLiteral } from '../../common/pg-array';
import { copyLines, csvBool, csvText } from '../../common/pg-copy';
import { AppConfig } from '../../config/app-config';
import { NEED_STATUSES, OPEN_NEED_STATUSES } from '../needs/need-lifecycle';
import { ReferenceService } from '../reference/reference.service';
import { OfferIndex, OfferSideTracker, seedFloors } from './engine/candidates';
import { checkEligibility, Eligibility } from './engine/eligibility';
import { explain, Glossary } from './engine/explain';
import {
  evaluatePair,
  PreparedNeed,
  PreparedOffer,
  prepareNeed,
  prepareOffer,
} from './engine/prepared';
import type { Scored } from './engine/score';
import {
  DEFAULT_WEIGHTS,
  NeedFacts,
  OfferFacts,
  PriorEngagement,
  ScoreWeights,
} from './engine/types';
import { CANDIDATE_NEEDS, loadNeeds, loadOffers, loadPriorEngagement, Versioned } from './facts';
import { OfferIndexService } from './offer-index.service';
import { RematchStore } from './rematch-store';
import { componentsLiteral, rulesToMask } from './suggestion-columns';

export type Side = 'need' | 'offer';

export interface MatchRunResult {
  side: Side;
  id: string;
  /** The record's version the stored matches now reflect (null: the record is gone). */
  version: number | null;
  evaluated: number;
  kept: number;
  removed: number;
  flaggedIneligible: number;
}

interface Evaluated {
  need: Versioned<NeedFacts>;
  offer: Versioned<OfferFacts>;
  eligibility: Eligibility;
  scored: Scored;
  inTop: boolean;
}

/** A stored pair, locked for the transaction (`SELECT … FOR UPDATE`). */
interface StoredRow {
  id: string;
  need_id: string;
  offer_id: string;
  status: string;
  version: number;
  in_need_top: boolean;
  in_offer_top: boolean;
}

export interface ChunkResult {
  needs: number;
  kept: number;
  /** Eligible pairs whose base score was computed. */
  considered: number;
  /** Pairs scored in full, text included. */
  scored: number;
}

const today = () => new Date().toISOString().slice(0, 10);
const OPEN_NEEDS = `status IN ('published', 'partially_covered')`;
/** Needs per transaction inside a chunk: bounds locks, memory and the event-loop slices. */
const SUB_BATCH = 250;
/** Sub-batches between two sends of the offers' tops (and moves of the chunk's cursor). */
const TOPS_EVERY = 4;
const OFFER_BATCH = 500;
/** Rows per upsert statement (a sub-batch stores about 10 per need). */
const UPSERT_ROWS = 5000;

/** One row of `match_suggestion` as the engine computes it. */
interface SuggestionRow {
  needId: string;
  offerId: string;
  needPartyId: string;
  offerPartyId: string;
  score: number;
  components: Scored['components'];
  rulesPassed: readonly string[];
  rulesFailed: readonly string[];
  explanation: string;
  eligible: boolean;
  partial: boolean;
  top: boolean;
  needVersion: number;
  offerVersion: number;
}

/**
 * The columns a suggestion's write sets, in `SuggestionRow`'s order (`topFlag`: the writing
 * side's `in_<side>_top`); status, version and the other side's flag are left alone.
 */
const suggestionColumns = (topFlag: string) => [
  'need_id',
  'offer_id',
  'need_party_id',
  'offer_party_id',
  'score',
  'components',
  'rules_passed',
  'rules_failed',
  'explanation',
  'eligible',
  'partial',
  topFlag,
  'need_version',
  'offer_version',
];

/** Weights other than text and breadth rescaled to sum to 1, with any configured override applied. */
export function effectiveWeights(override?: Partial<ScoreWeights>): ScoreWeights {
  const w = { ...DEFAULT_WEIGHTS, ...override };
  const keys = [
    'areas',
    'types',
    'budget',
    'timing',
    'language',
    'priority',
    'engagement',
  ] as const;
  const sum = keys.reduce((s, k) => s + w[k], 0) || 1;
  return {
    ...Object.fromEntries(keys.map((k) => [k, w[k] / sum])),
    text: w.text,
    breadth: w.breadth,
  } as ScoreWeights;
}

/** Ranking of the stored suggestions: score desc, then the pair's ids. */
const rankOrder = (a: Evaluated, b: Evaluated) =>
  b.scored.score - a.scored.score ||
  (a.offer.facts.id + a.need.facts.id).localeCompare(b.offer.facts.id + b.need.facts.id);

/**
 * Computes and stores the suggestions of one need or one offer, or of a chunk of needs in a
 * full re-match. Idempotent: running it twice for the same data gives the same rows.
 * Serialised per record by an advisory lock, so two jobs for the same record never
 * interleave. A need's candidates come from the in-memory offer index (candidates.ts), which
 * returns exactly the top K of scoring every pair.
 */
@Injectable()
export class MatchingService {
  readonly weights: ScoreWeights;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly config: AppConfig,
    private readonly reference: ReferenceService,
    private readonly offerIndex: OfferIndexService,
    private readonly runs: RematchStore,
  ) {
    this.weights = effectiveWeights(config.env.MATCH_WEIGHTS);
  }

  private async glossary(): Promise<Glossary> {
    const catalog = await this.reference.catalog();
    const areaTitles = new Map(catalog.controlAreas.map((a) => [a.code, a.title]));
    return {
      countryName: (alpha3, language) => {
        const country = catalog.findCountry(alpha3);
        return country
          ? ((country.names as Record<string, string>)[language] ?? country.names.en)
          : alpha3;
      },
      regionName: (code) => catalog.resolveRegion(code)?.name ?? code,
      groupName: (code) => catalog.resolveGroup(code)?.name ?? code,
      areaTitle: (code) => areaTitles.get(code) ?? code,
    };
  }

  /**
   * A transaction for matching work, with PostgreSQL's JIT compilation and parallel query off.
   * Its statements are short, but a table filled from empty by a full re-match has statistics
   * that make their estimated costs huge until autovacuum analyses it. JIT then compiled
   * (inlined, optimised) the lookup of a sub-batch's stored pairs on every call — 27 ms of
   * compiling for 0.5 ms of work, 341 times in a full re-match of 100,000 needs. And the
   * donors' prior engagement (`loadPriorEngagement`, read by every single match) was planned
   * with two parallel workers: ~60 ms of starting them for a scan of a partial index that
   * returns nothing, two thirds of an incremental match.
   */
  private transaction<T>(work: (m: EntityManager) => Promise<T>): Promise<T> {
    return this.db.transaction(async (m) => {
      await m.query(
        `SELECT set_config('jit', 'off', true), set_config('max_parallel_workers_per_gather', '0', true)`,
      );
      return work(m);
    });
  }

  private get topOptions() {
    const { MATCH_TOP_K: k, MATCH_MIN_SCORE: minScore } = this.config.env;
    return { k, minScore, weights: this.weights, todayMs: Date.parse(today()) };
  }

  async match(side: Side, id: string): Promise<MatchRunResult> {
    const glossary = await this.glossary();
    return this.transaction(async (m) => {
      await m.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`match:${side}:${id}`]);
      if (side === 'need') {
        await this.lockParents(m, [id], []);
        const [need] = await loadNeeds(m, 'n.id = $1', [id]);
        if (!need) return this.gone(side, id);
        const index = await this.offerIndex.current(m);
        const prior = await this.priorFor(m, index, []);
        const { pairs, existing } = await this.evaluateNeeds(m, index, [need], prior);
        const result = await this.store(m, 'need', [id], pairs, glossary, existing);
        await m.query(`UPDATE need SET matched_version = $2 WHERE id = $1`, [id, need.version]);
        return { side, id, version: need.version, ...result };
      }
      const evaluated = await this.evaluateOffer(m, id);
      if (!evaluated) return this.gone(side, id);
      // Pairs in the offer's top may be inserted: their needs, then the offer, before the rows.
      await this.lockParents(
        m,
        evaluated.pairs.filter((p) => p.inTop).map((p) => p.need.facts.id),
        [id],
      );
      const result = await this.store(m, 'offer', [id], evaluated.pairs, glossary);
      await m.query(`UPDATE offer SET matched_version = $2 WHERE id = $1`, [id, evaluated.version]);
      return { side, id, version: evaluated.version, ...result };
    });
  }

  /**
   * Locks the needs, then the offers, whose pairs this transaction may insert (FOR KEY SHARE,
   * in id order), before it locks any match row: the order every writer follows (a commitment
   * locks its need, then its offer, then the match). An inserted row's foreign-key checks take
   * these very locks; taken only then, a job already holding match rows could wait for a need a
   * commitment holds while that commitment waits for one of those rows — a deadlock. Key-share
   * locks never conflict with each other, so matching jobs do not wait for one another here.
   */
  private async lockParents(m: EntityManager, needIds: string[], offerIds: string[]) {
    if (needIds.length)
      await m.query(`SELECT FROM need WHERE id = ANY($1::uuid[]) ORDER BY id FOR KEY SHARE`, [
        [...new Set(needIds)],
      ]);
    if (offerIds.length)
      await m.query(`SELECT FROM offer WHERE id = ANY($1::uuid[]) ORDER BY id FOR KEY SHARE`, [
        [...new Set(offerIds)],
      ]);
  }

  private gone(side: Side, id: string): MatchRunResult {
    return { side, id, version: null, evaluated: 0, kept: 0, removed: 0, flaggedIneligible: 0 };
  }

  /** Prior engagement of every donor of the index, plus some other offers' parties. */
  private async priorFor(
    m: EntityManager,
    index: OfferIndex,
    extraParties: string[],
  ): Promise<Map<string, PriorEngagement>> {
    const parties = new Set(extraParties);
    for (const o of index.offers()) parties.add(o.facts.partyId);
    return loadPriorEngagement(m, [...parties]);
  }

  /**
   * For each need: its top K from the index, plus every pair already stored for it (offers
   * outside the index — paused, exhausted — are loaded), all evaluated. The stored pairs are
   * locked here and handed to `store`, which needs them too.
   */
  private async evaluateNeeds(
    m: EntityManager,
    index: OfferIndex,
    needs: Versioned<NeedFacts>[],
    prior: Map<string, PriorEngagement>,
    tracker?: OfferSideTracker,
    stats?: ChunkResult,
  ): Promise<{ pairs: Evaluated[]; existing: StoredRow[] }> {
    const stored = await this.lockStored(
      m,
      'need_id',
      needs.map((n) => n.facts.id),
    );
    if (!needs.length) return { pairs: [], existing: stored };
    const opts = { ...this.topOptions, prior: (p: string) => prior.get(p), offerSide: tracker };
    const storedByNeed = new Map<string, string[]>();
    for (const r of stored)
      (storedByNeed.get(r.need_id) ?? storedByNeed.set(r.need_id, []).get(r.need_id)!).push(
        r.offer_id,
      );
    const outside = [...new Set(stored.map((r) => r.offer_id))].filter((id) => !index.get(id));
    const others = new Map<string, PreparedOffer>();
    if (outside.length) {
      for (const o of await loadOffers(m, 'o.id = ANY($1::uuid[])', [outside]))
        others.set(o.facts.id, prepareOffer(o.facts, o.version));
      const missing = [...others.values()].map((o) => o.facts.partyId).filter((p) => !prior.has(p));
      if (missing.length)
        for (const [p, e] of await loadPriorEngagement(m, [...new Set(missing)])) prior.set(p, e);
    }
    const out: Evaluated[] = [];
    for (const need of needs) {
      const pn: PreparedNeed = prepareNeed(need.facts);
      const res = index.topForNeed(pn, opts);
      if (stats) {
        stats.considered += res.considered;
        stats.scored += res.scored;
      }
      const inTop = new Set<string>();
      for (const t of res.top) {
        inTop.add(t.offer.facts.id);
        out.push(
          this.pair(need, t.offer, checkEligibility(need.facts, t.offer.facts), t.scored, true),
        );
      }
      for (const offerId of storedByNeed.get(need.facts.id) ?? []) {
        if (inTop.has(offerId)) continue;
        const offer = index.get(offerId) ?? others.get(offerId);
        if (!offer) continue; // deleted: its rows went with it (ON DELETE CASCADE)
        const r = evaluatePair(
          pn,
          offer,
          this.weights,
          opts.todayMs,
          prior.get(offer.facts.partyId),
        );
        out.push(this.pair(need, offer, r.eligibility, r.scored, false));
      }
    }
    return { pairs: out, existing: stored };
  }

  /**
   * The stored pairs of these needs (or offers), locked in id order. They are found through
   * the index record by record (a LATERAL with OFFSET 0, which the planner keeps as a loop)
   * whatever the statistics say: a full re-match fills the table from empty, and until
   * autovacuum analyses it the planner would read the whole table for `= ANY` of a batch.
   */
  private async lockStored(m: EntityManager, column: string, ids: string[]): Promise<StoredRow[]> {
    const found: { id: string }[] = await m.query(
      `SELECT s.id FROM unnest($1::uuid[]) AS k(id)
         CROSS JOIN LATERAL (SELECT id FROM match_suggestion WHERE ${column} = k.id OFFSET 0) s`,
      [ids],
    );
    if (!found.length) return [];
    return m.query(
      `SELECT id, need_id, offer_id, status, version, in_need_top, in_offer_top
         FROM match_suggestion WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`,
      [found.map((r) => r.id)],
    );
  }

  private pair(
    need: Versioned<NeedFacts>,
    offer: PreparedOffer,
    eligibility: Eligibility,
    scored: Scored,
    inTop: boolean,
  ): Evaluated {
    // The prepared offer is its facts and version (no object of its own per pair).
    return { need, offer, eligibility, scored, inTop };
  }

  /** One offer against the open needs that share a type and a window with it. */
  private async evaluateOffer(m: EntityManager, offerId: string) {
    const [loaded] = await loadOffers(m, 'o.id = $1', [offerId]);
    if (!loaded) return null;
    const o = loaded.facts;
    const offer = prepareOffer(o, loaded.version);
    const candidates =
      o.status === 'active' && o.remainingUsd > 0
        ? await loadNeeds(m, CANDIDATE_NEEDS, [o.assistanceTypes, o.startDate, o.endDate])
        : [];
    const seen = new Set(candidates.map((n) => n.facts.id));
    const stored: { need_id: string }[] = await m.query(
      `SELECT need_id FROM match_suggestion WHERE offer_id = $1`,
      [offerId],
    );
    const others = stored.map((r) => r.need_id).filter((id) => !seen.has(id));
    const needs = others.length
      ? candidates.concat(await loadNeeds(m, 'n.id = ANY($1::uuid[])', [others]))
      : candidates;
    const prior = (await loadPriorEngagement(m, [o.partyId])).get(o.partyId);
    const todayMs = Date.parse(today());
    const pairs = needs.map((need) => {
      const r = evaluatePair(prepareNeed(need.facts), offer, this.weights, todayMs, prior);
      return this.pair(need, offer, r.eligibility, r.scored, false);
    });
    const { MATCH_TOP_K: k, MATCH_MIN_SCORE: minScore } = this.config.env;
    const ranked = pairs
      .filter((p) => p.eligibility.eligible && p.scored.score >= minScore)
      .sort(rankOrder);
    for (const p of ranked.slice(0, k)) p.inTop = true;
    return { version: loaded.version, pairs };
  }

  /**
   * Keeps the pairs flagged in the records' top (`in_<side>_top`), refreshes scores of the
   * other stored pairs, removes pairs no side keeps and nobody acted on, and flags acted-on
   * pairs that became ineligible. Writes in multi-row statements.
   */
  private async store(
    m: EntityManager,
    side: Side,
    ids: string[],
    pairs: Evaluated[],
    glossary: Glossary,
    locked?: StoredRow[],
  ) {
    const topFlag = side === 'need' ? 'in_need_top' : 'in_offer_top';
    const otherFlag = side === 'need' ? 'in_offer_top' : 'in_need_top';
    const existing =
      locked ?? (await this.lockStored(m, side === 'need' ? 'need_id' : 'offer_id', ids));
    const existingByPair = new Map(existing.map((r) => [`${r.need_id}:${r.offer_id}`, r]));
    let kept = 0;
    let flaggedIneligible = 0;
    const deletes: string[] = [];
    const upserts: SuggestionRow[] = [];
    /** Pairs with no stored row (when the rows were locked): rows built as they are written. */
    const fresh: Evaluated[] = [];
    /** This side's flag of each stored row once the upsert is done. */
    const flagAfter = new Map<string, boolean>();
    for (const pair of pairs) {
      const row = existingByPair.get(`${pair.need.facts.id}:${pair.offer.facts.id}`);
      if (!pair.inTop && !row) continue;
      if (pair.inTop) kept++;
      // Nobody acted on a row still at version 1 (an interest keeps `suggested` but bumps it).
      const untouched = row?.status === 'suggested' && row.version === 1;
      if (!pair.inTop && row && untouched && !pair.eligibility.eligible) {
        deletes.push(row.id);
        continue;
      }
      if (!pair.eligibility.eligible) flaggedIneligible++;
      if (row) {
        flagAfter.set(row.id, pair.inTop);
        upserts.push(this.rowOf(pair, glossary));
      } else fresh.push(pair);
    }
    await this.upsert(m, topFlag, upserts);
    await this.insertFresh(m, topFlag, fresh, glossary);
    // Pairs that neither side keeps any more and that nobody acted on are removed. The rows
    // are locked, so their status, version and the other side's flag are as read; rows this
    // run inserts are in its top.
    const removedEarlier = new Set(deletes);
    for (const r of existing) {
      if (removedEarlier.has(r.id) || r.status !== 'suggested' || r.version !== 1) continue;
      if (!(flagAfter.get(r.id) ?? r[topFlag]) && !r[otherFlag]) deletes.push(r.id);
    }
    if (deletes.length)
      await m.query(`DELETE FROM match_suggestion WHERE id = ANY($1::uuid[])`, [deletes]);
    return {
      evaluated: pairs.length,
      kept,
      removed: deletes.length,
      flaggedIneligible,
    };
  }

  private rowOf(pair: Evaluated, glossary: Glossary): SuggestionRow {
    return {
      needId: pair.need.facts.id,
      offerId: pair.offer.facts.id,
      needPartyId: pair.need.facts.partyId,
      offerPartyId: pair.offer.facts.partyId,
      score: pair.scored.score,
      components: pair.scored.components,
      rulesPassed: pair.eligibility.passed,
      rulesFailed: pair.eligibility.failed,
      explanation: explain(
        pair.need.facts,
        pair.offer.facts,
        pair.eligibility,
        pair.scored.components,
        glossary,
      ),
      eligible: pair.eligibility.eligible,
      partial: pair.eligibility.partial,
      top: pair.inTop,
      needVersion: pair.need.version,
      offerVersion: pair.offer.version,
    };
  }

  /**
   * Multi-row upsert; re-scoring never touches status, version or the other side's flag, and
   * a stored row whose values would not change is left as it is (no new tuple, no index
   * entries: most rows of a repeated full re-match; `computed_at` is when they last changed).
   * Rows go as one typed array per column through `unnest` (no JSON to build in JavaScript
   * nor to parse into records in PostgreSQL), as array literals built here (`pg-array.ts`). The
   * components go as their columns' literals (`{5477,10000,…}`, see `suggestion-columns.ts`)
   * in a text array, each cast per row; the rules as bit masks.
   */
  private async upsert(m: EntityManager, topFlag: string, rows: SuggestionRow[]) {
    for (let i = 0; i < rows.length; i += UPSERT_ROWS) {
      const batch = rows.length <= UPSERT_ROWS ? rows : rows.slice(i, i + UPSERT_ROWS);
      // One array literal per column, in the statement's parameter order.
      const plain = (f: (r: SuggestionRow) => string | number | boolean) =>
        plainArrayLiteral(batch.map(f));
      const text = (f: (r: SuggestionRow) => string) => textArrayLiteral(batch.map(f));
      const params = [
        plain((r) => r.needId),
        plain((r) => r.offerId),
        plain((r) => r.needPartyId),
        plain((r) => r.offerPartyId),
        plain((r) => r.score),
        text((r) => componentsLiteral(r.components)),
        plain((r) => rulesToMask(r.rulesPassed)),
        plain((r) => rulesToMask(r.rulesFailed)),
        text((r) => r.explanation),
        plain((r) => r.eligible),
        plain((r) => r.partial),
        plain((r) => r.top),
        plain((r) => r.needVersion),
        plain((r) => r.offerVersion),
      ];
      await m.query(
        `INSERT INTO match_suggestion (${suggestionColumns(topFlag).join(', ')})
         SELECT need_id, offer_id, need_party_id, offer_party_id, score, components::smallint[],
                rules_passed, rules_failed, explanation, eligible, partial, top, need_version,
                offer_version
           FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::numeric[], $6::text[],
                  $7::smallint[], $8::smallint[], $9::text[], $10::boolean[], $11::boolean[],
                  $12::boolean[], $13::int[], $14::int[])
             AS r(need_id, offer_id, need_party_id, offer_party_id, score, components, rules_passed,
                rules_failed, explanation, eligible, partial, top, need_version, offer_version)
         ON CONFLICT (need_id, offer_id) DO UPDATE SET
           score = EXCLUDED.score, components = EXCLUDED.components, rules_passed = EXCLUDED.rules_passed,
           rules_failed = EXCLUDED.rules_failed, explanation = EXCLUDED.explanation, eligible = EXCLUDED.eligible,
           partial = EXCLUDED.partial, ${topFlag} = EXCLUDED.${topFlag}, need_version = EXCLUDED.need_version,
           offer_version = EXCLUDED.offer_version, computed_at = now()
         WHERE (match_suggestion.score, match_suggestion.components, match_suggestion.rules_passed,
                match_suggestion.rules_failed, match_suggestion.explanation, match_suggestion.eligible,
                match_suggestion.partial, match_suggestion.${topFlag}, match_suggestion.need_version,
                match_suggestion.offer_version)
               IS DISTINCT FROM (EXCLUDED.score, EXCLUDED.components, EXCLUDED.rules_passed,
                EXCLUDED.rules_failed, EXCLUDED.explanation, EXCLUDED.eligible, EXCLUDED.partial,
                EXCLUDED.${topFlag}, EXCLUDED.need_version, EXCLUDED.offer_version)`,
        params,
      );
    }
  }

  /**
   * Stores pairs that had no row when the stored rows were locked. Many are copied (COPY,
   * about a third cheaper for PostgreSQL than the upsert: see `pg-copy.ts`), in a savepoint.
   * The locks taken are this side's (advisory lock per record, the rows of its pairs): a match
   * of the other side's record may have inserted one of these pairs meanwhile, and then the
   * copy fails on the pair's unique key and the rows go through the upsert instead, which
   * updates that row as it would have had it been there. Fewer rows go straight to the upsert.
   */
  private async insertFresh(
    m: EntityManager,
    topFlag: string,
    pairs: Evaluated[],
    glossary: Glossary,
  ) {
    const rows = () => pairs.map((p) => this.rowOf(p, glossary));
    // From MATCH_COPY_MIN_ROWS new rows on (a full re-match's sub-batches, not one record's
    // match: a savepoint and a COPY cost two more round trips than one statement).
    if (pairs.length < this.config.env.MATCH_COPY_MIN_ROWS) return this.upsert(m, topFlag, rows());
    await m.query(`SAVEPOINT fresh_suggestions`);
    try {
      await copyLines(
        m,
        'match_suggestion',
        ['id', ...suggestionColumns(topFlag)],
        // Each row, its explanation and its line are built as the line is encoded, and are
        // garbage right after (see copyLines).
        this.freshLines(pairs, glossary),
      );
      await m.query(`RELEASE SAVEPOINT fresh_suggestions`);
    } catch (e) {
      if ((e as { code?: string }).code !== '23505') throw e;
      await m.query(`ROLLBACK TO SAVEPOINT fresh_suggestions`);
      await this.upsert(m, topFlag, rows());
    }
  }

  /**
   * The CSV lines of new rows for `copyLines`, one at a time. The id is given (not the
   * column's volatile default), so COPY fills pages in bulk. Time-ordered (UUID version 7, RFC
   * 9562): each new id goes to the primary key's last leaf instead of a random one among
   * thousands (a random v4 id made a chunk's copy of 20,000 rows 15-30 % slower: more index
   * pages visited, read back and logged). Components and rules go in their compact columns'
   * form (`suggestion-columns.ts`: an array literal of integers, bit masks); scores are finite.
   */
  private *freshLines(pairs: Evaluated[], glossary: Glossary): Generator<string> {
    for (const pair of pairs) {
      const r = this.rowOf(pair, glossary);
      yield (
        `${v7()},${r.needId},${r.offerId},${r.needPartyId},${r.offerPartyId},${r.score},` +
        `"${componentsLiteral(r.components)}",${rulesToMask(r.rulesPassed)},${rulesToMask(r.rulesFailed)},` +
        `${csvText(r.explanation)},${csvBool(r.eligible)},${csvBool(r.partial)},${csvBool(r.top)},` +
        `${r.needVersion},${r.offerVersion}\n`
      );
    }
  }

  // ---------------------------------------------------------------- full re-match in chunks

  /**
   * Boundaries by id over the rows of `table` matching `where`, one every `size` rows: part i
   * is [bounds[i], bounds[i+1]); and how many rows there are.
   */
  private async idBounds(
    table: 'need' | 'offer',
    where: string,
    size: number,
  ): Promise<{ bounds: string[]; total: number }> {
    const rows: { id: string; n: number }[] = await this.db.query(
      `SELECT id, n FROM (
         SELECT id, row_number() OVER (ORDER BY id) AS rn, (count(*) OVER ())::int AS n
           FROM ${table} WHERE ${where}) t
        WHERE (rn - 1) % $1 = 0 ORDER BY id`,
      [size],
    );
    return { bounds: rows.map((r) => r.id), total: rows[0]?.n ?? 0 };
  }

  /**
   * The stored pairs of active offers whose need is not open (a full re-match's chunks cover
   * the open needs only), by offer, for each part of the offers' side: part i holds the offers
   * with ids in [bounds[i], bounds[i+1]), the last one up to `end` (exclusive; null, no end).
   * One statement for every part: it reads the needs by status, each with its pairs through
   * the pair index, and the need table's pages were most of its cost (0.7 s at the
   * benchmark's 100,000 needs), once per part before. In one of this
   * service's transactions for its settings: on a table a re-match has just filled, the pairs'
   * estimate made JIT compile it (134 ms).
   */
  async closedPairsByPart(
    bounds: string[],
    end: string | null = null,
  ): Promise<Record<string, string[]>[]> {
    const rows: { id: string; offer_id: string }[] = await this.transaction((m) =>
      m.query(
        `SELECT ms.id, ms.offer_id FROM need n
           CROSS JOIN LATERAL (
             SELECT s.id, s.offer_id FROM match_suggestion s
              WHERE s.need_id = n.id AND s.offer_id >= $2 AND ($3::uuid IS NULL OR s.offer_id < $3)
             OFFSET 0) ms
          WHERE n.status = ANY($1::text[])
            AND EXISTS (SELECT 1 FROM offer o WHERE o.id = ms.offer_id AND o.status = 'active')`,
        [NEED_STATUSES.filter((st) => !OPEN_NEED_STATUSES.includes(st)), bounds[0], end],
      ),
    );
    const parts = bounds.map((): Record<string, string[]> => ({}));
    for (const r of rows) {
      // The last part whose first id is at most the offer's (ids compare as text, as in SQL).
      let lo = 0;
      let hi = bounds.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (bounds[mid] <= r.offer_id) lo = mid;
        else hi = mid - 1;
      }
      (parts[lo][r.offer_id] ??= []).push(r.id);
    }
    return parts;
  }

  /** Part boundaries over the active offers, by id, for the offers' side. */
  async offerBounds(size: number): Promise<{ bounds: string[]; offers: number }> {
    const { bounds, total } = await this.idBounds('offer', `status = 'active'`, size);
    return { bounds, offers: total };
  }

  /**
   * Before a full re-match's first chunk: floors for the offers' side from a sample of
   * `MATCH_FLOOR_SAMPLE` open needs (`seedFloors`: bases only, nothing scored), put where the
   * chunks read the floors. Without them the first chunks (one per worker slot) start every
   * offer at the minimum score: each then scores in full every pair that could reach it
   * (eleven times as many pairs as a later chunk) and visits the pairs sharing no control area
   * too. Any floor at most the offer's final K-th score gives the same tops; these only save
   * work.
   */
  async seedRunFloors(runId: string): Promise<{ sample: number; offers: number }> {
    const size = this.config.env.MATCH_FLOOR_SAMPLE;
    if (size === 0) return { sample: 0, offers: 0 };
    return this.offerIndex.use(async (index) => {
      const { needs, prior } = await this.transaction(async (m) => {
        // The first ids: random uuids, so a sample unrelated to anything scored (any sample
        // gives valid floors), read through the primary key.
        const ids: { id: string }[] = await m.query(
          `SELECT id FROM need WHERE ${OPEN_NEEDS} ORDER BY id LIMIT $1`,
          [size],
        );
        return {
          needs: await loadNeeds(m, 'n.id = ANY($1::uuid[])', [ids.map((r) => r.id)]),
          prior: await this.priorFor(m, index, []),
        };
      });
      const floors = seedFloors(
        index,
        needs.map((n) => prepareNeed(n.facts)),
        { ...this.topOptions, prior: (p) => prior.get(p) },
      );
      await this.runs.seedFloors(runId, floors);
      return { sample: needs.length, offers: floors.size };
    });
  }

  /** Chunk boundaries over the open needs, by id: chunk i is [bounds[i], bounds[i+1]). */
  async chunkBounds(size: number): Promise<{ bounds: string[]; needs: number }> {
    const { bounds, total } = await this.idBounds('need', OPEN_NEEDS, size);
    return { bounds, needs: total };
  }

  /**
   * Matches the open needs with ids in [fromId, toId), SUB_BATCH per transaction, and adds
   * each offer's best needs of the chunk to the run's shared store every TOPS_EVERY
   * sub-batches. Resumes after the last cursor a previous attempt recorded (with those tops).
   */
  async rematchChunk(
    runId: string,
    chunk: number,
    fromId: string,
    toId: string | null,
  ): Promise<ChunkResult> {
    const glossary = await this.glossary();
    const { k, minScore } = this.topOptions;
    const stats: ChunkResult = { needs: 0, kept: 0, considered: 0, scored: 0 };
    return this.offerIndex.use(async (index) => {
      const floors = await this.runs.floors(runId);
      const tracker = new OfferSideTracker(index, k, minScore, this.weights, floors);
      const prior = await this.transaction((m) => this.priorFor(m, index, []));
      let after = (await this.runs.cursor(runId, chunk)) ?? null;
      let sinceSent = 0;
      for (;;) {
        const ids: { id: string }[] = await this.db.query(
          `SELECT id FROM need WHERE ${OPEN_NEEDS} AND id >= $1 AND ($2::uuid IS NULL OR id < $2)
              AND ($3::uuid IS NULL OR id > $3) ORDER BY id LIMIT ${SUB_BATCH}`,
          [fromId, toId, after],
        );
        if (!ids.length) break;
        const batch = ids.map((r) => r.id);
        await this.transaction(async (m) => {
          await m.query(
            `SELECT pg_advisory_xact_lock(hashtext(k))
               FROM unnest($1::text[]) k ORDER BY hashtext(k)`,
            [batch.map((id) => `match:need:${id}`)],
          );
          await this.lockParents(m, batch, []);
          const needs = await loadNeeds(m, 'n.id = ANY($1::uuid[])', [batch]);
          needs.sort((a, b) => (a.facts.id < b.facts.id ? -1 : 1));
          const { pairs, existing } = await this.evaluateNeeds(
            m,
            index,
            needs,
            prior,
            tracker,
            stats,
          );
          const r = await this.store(m, 'need', batch, pairs, glossary, existing);
          stats.kept += r.kept;
          // Only needs whose stored matches reflected another version (a row update fires the
          // need's triggers and writes a new tuple: most needs are already at their version).
          await m.query(
            `UPDATE need n SET matched_version = v.version
               FROM unnest($1::uuid[], $2::int[]) AS v(id, version)
              WHERE n.id = v.id AND n.matched_version IS DISTINCT FROM v.version`,
            [needs.map((n) => n.facts.id), needs.map((n) => n.version)],
          );
        });
        stats.needs += batch.length;
        after = batch[batch.length - 1];
        // Every few sub-batches, the offers' best needs go to the shared store and then the
        // cursor moves: a retried chunk redoes (idempotently) at most those sub-batches, and
        // entries pushed out of an offer's top in between are never sent at all.
        if (++sinceSent === TOPS_EVERY) {
          tracker.raiseFloors(await this.runs.addTops(runId, tracker.drain(), k));
          await this.runs.setCursor(runId, chunk, after);
          sinceSent = 0;
        }
      }
      if (sinceSent > 0) {
        await this.runs.addTops(runId, tracker.drain(), k);
        await this.runs.setCursor(runId, chunk, after!);
      }
      return stats;
    });
  }

  /**
   * The offers' side of a full re-match for the active offers with ids in [fromId, toId)
   * (one part job; the parts run on any worker), once every chunk is done: each offer's top K
   * is the best K of what the chunks found (a pair in an offer's top over all needs is in
   * that offer's top over its chunk). Flags them, stores the pairs no need kept, re-scores
   * the offer's pairs with needs the chunks did not cover (not open), and removes what
   * neither side keeps and nobody acted on — what matching each offer on its own would do.
   *
   * It reads only the stored pairs that can change: those in an offer's new top, those
   * flagged in its old one (`match_suggestion_offer_top_idx`), and those whose need is not
   * open (`closed`: this part's, by offer, as the run found them for every part with
   * `closedPairsByPart`; read here when not given). An offer's other pairs were re-scored by
   * the chunks, are in no offer top and stay as they are: a pair neither side keeps is never
   * stored untouched (the chunks and this step remove such pairs as they unflag them).
   */
  async finishOffers(
    runId: string,
    fromId: string,
    toId: string | null,
    closed?: Record<string, string[]>,
  ): Promise<{ offers: number; kept: number }> {
    const glossary = await this.glossary();
    const offerIds: string[] = (
      await this.db.query(
        `SELECT id FROM offer WHERE status = 'active' AND id >= $1 AND ($2::uuid IS NULL OR id < $2)
          ORDER BY id`,
        [fromId, toId],
      )
    ).map((r: { id: string }) => r.id);
    // Stored pairs whose need is not open (the chunks covered open needs only), by offer: as
    // the run's parent found them for every part at once, or else read now.
    const closedByOffer = new Map<string, string[]>(
      Object.entries(closed ?? (await this.closedPairsByPart([fromId], toId))[0]),
    );
    const todayMs = Date.parse(today());
    let kept = 0;
    for (let i = 0; i < offerIds.length; i += OFFER_BATCH) {
      const batch = offerIds.slice(i, i + OFFER_BATCH);
      const tops = await this.runs.tops(runId, batch);
      await this.transaction(async (m) => {
        await m.query(
          `SELECT pg_advisory_xact_lock(hashtext(k)) FROM unnest($1::text[]) k ORDER BY hashtext(k)`,
          [batch.map((id) => `match:offer:${id}`)],
        );
        // The versions the stored matches will reflect (read before anything is scored).
        const versions: { id: string; version: number }[] = await m.query(
          `SELECT id, version FROM offer WHERE id = ANY($1::uuid[])`,
          [batch],
        );
        const topNeeds: string[] = [];
        const topOffers: string[] = [];
        for (const [offerId, entries] of tops) {
          for (const e of entries) {
            topNeeds.push(e.id);
            topOffers.push(offerId);
          }
        }
        // The pairs that can change: in the new tops, flagged in the old ones, or with a need
        // that is not open; then locked in id order (as the needs' side locks them) and read
        // as they are once locked. Both lookups go pair by pair and offer by offer through
        // the indexes (LATERAL … OFFSET 0, which the planner cannot flatten): on a table a
        // full re-match has just filled, never analysed, it read the whole table for the
        // flagged pairs of 500 offers (227 ms idle, up to a second with the workers running,
        // against 10 ms through `match_suggestion_offer_top_idx`).
        const ids: { id: string; need_id: string; offer_id: string }[] = await m.query(
          `SELECT s.id, s.need_id, s.offer_id FROM unnest($1::uuid[], $2::uuid[]) AS t(need_id, offer_id)
             CROSS JOIN LATERAL (
               SELECT s.id, s.need_id, s.offer_id FROM match_suggestion s
                WHERE s.need_id = t.need_id AND s.offer_id = t.offer_id OFFSET 0) s
           UNION
           SELECT s.id, s.need_id, s.offer_id FROM unnest($3::uuid[]) AS o(id)
             CROSS JOIN LATERAL (
               SELECT s.id, s.need_id, s.offer_id FROM match_suggestion s
                WHERE s.offer_id = o.id AND s.in_offer_top OFFSET 0) s`,
          [topNeeds, topOffers, batch],
        );
        // Before any row is locked: the needs of the top pairs without a row (the pairs this
        // may insert: their foreign-key checks lock those needs), then the offers. Not every
        // top pair's need: locking a need writes its tuple, and two thirds of the top pairs
        // are already stored by their need's side (80,000 needs locked per run, 2.2 of the
        // offers' side's 14 s in one process).
        const storedPairs = new Set(ids.map((r) => `${r.need_id}:${r.offer_id}`));
        const lockedNeeds = new Set(
          topNeeds.filter((n, j) => !storedPairs.has(`${n}:${topOffers[j]}`)),
        );
        await this.lockParents(m, [...lockedNeeds], batch);
        const lockIds = new Set(ids.map((r) => r.id));
        for (const id of batch) for (const c of closedByOffer.get(id) ?? []) lockIds.add(c);
        const existing: {
          id: string;
          need_id: string;
          offer_id: string;
          in_need_top: boolean;
          in_offer_top: boolean;
          status: string;
          version: number;
          open: boolean;
        }[] = await m.query(
          `SELECT ms.id, ms.need_id, ms.offer_id, ms.in_need_top, ms.in_offer_top, ms.status,
                  ms.version, (SELECT n.${OPEN_NEEDS} FROM need n WHERE n.id = ms.need_id) AS open
             FROM match_suggestion ms WHERE ms.id = ANY($1::uuid[]) ORDER BY ms.id FOR UPDATE`,
          [[...lockIds]],
        );
        const inTop = new Set(topNeeds.map((n, j) => `${n}:${topOffers[j]}`));
        const byPair = new Map(existing.map((r) => [`${r.need_id}:${r.offer_id}`, r]));
        // Flags of stored pairs whose need the chunks re-scored moments ago; a pair leaving
        // the offer's top that the need does not keep either and nobody acted on is removed.
        const flagOn: string[] = [];
        const flagOff: string[] = [];
        const deletes: string[] = [];
        for (const r of existing) {
          if (!r.open) continue;
          const want = inTop.has(`${r.need_id}:${r.offer_id}`);
          if (want === r.in_offer_top) continue;
          if (want) flagOn.push(r.id);
          else if (r.status === 'suggested' && r.version === 1 && !r.in_need_top)
            deletes.push(r.id);
          else flagOff.push(r.id);
        }
        if (flagOn.length)
          await m.query(
            `UPDATE match_suggestion SET in_offer_top = true WHERE id = ANY($1::uuid[])`,
            [flagOn],
          );
        if (flagOff.length)
          await m.query(
            `UPDATE match_suggestion SET in_offer_top = false WHERE id = ANY($1::uuid[])`,
            [flagOff],
          );
        if (deletes.length)
          await m.query(`DELETE FROM match_suggestion WHERE id = ANY($1::uuid[])`, [deletes]);
        // Top pairs without a row, and stored pairs with needs that are not open: scored.
        const missing = topNeeds
          .map((n, j) => ({ needId: n, offerId: topOffers[j] }))
          .filter((p) => !byPair.has(`${p.needId}:${p.offerId}`));
        const closed = existing
          .filter((r) => !r.open)
          .map((r) => ({ needId: r.need_id, offerId: r.offer_id }));
        // A row removed between the lookup and its lock (a match of its need dropped the pair
        // meanwhile) is inserted again: its need is locked now, out of the usual order. A
        // deadlock that could cause is detected by PostgreSQL, and either side tries again (this
        // part as a job, a commitment in retryOnDeadlock).
        const late = missing.filter((p) => !lockedNeeds.has(p.needId)).map((p) => p.needId);
        if (late.length) await this.lockParents(m, late, []);
        const toScore = [...missing, ...closed];
        if (toScore.length) {
          const offers = new Map(
            (
              await loadOffers(m, 'o.id = ANY($1::uuid[])', [
                [...new Set(toScore.map((p) => p.offerId))],
              ])
            ).map((o) => [o.facts.id, prepareOffer(o.facts, o.version)]),
          );
          const needs = new Map(
            (
              await loadNeeds(m, 'n.id = ANY($1::uuid[])', [
                [...new Set(toScore.map((p) => p.needId))],
              ])
            ).map((n) => [n.facts.id, n]),
          );
          const prior = await loadPriorEngagement(m, [
            ...new Set([...offers.values()].map((o) => o.facts.partyId)),
          ]);
          const pairs: Evaluated[] = [];
          for (const p of toScore) {
            const need = needs.get(p.needId);
            const offer = offers.get(p.offerId);
            if (!need || !offer) continue;
            const r = evaluatePair(
              prepareNeed(need.facts),
              offer,
              this.weights,
              todayMs,
              prior.get(offer.facts.partyId),
            );
            const top = inTop.has(`${p.needId}:${p.offerId}`) && r.eligibility.eligible;
            pairs.push(this.pair(need, offer, r.eligibility, r.scored, top));
          }
          await this.storePairs(m, pairs, byPair, glossary);
        }
        await m.query(
          `UPDATE offer o SET matched_version = v.version
             FROM unnest($1::uuid[], $2::int[]) AS v(id, version)
            WHERE o.id = v.id AND o.matched_version IS DISTINCT FROM v.version`,
          [versions.map((v) => v.id), versions.map((v) => v.version)],
        );
        kept += inTop.size;
      });
      // The run's tops stay in the store until the run ends: a retried part finds them again.
    }
    return { offers: offerIds.length, kept };
  }

  /** The offer side of `store` for given pairs (flags `in_offer_top`). */
  private async storePairs(
    m: EntityManager,
    pairs: Evaluated[],
    existing: Map<string, { id: string; status: string; version: number }>,
    glossary: Glossary,
  ) {
    const upserts: SuggestionRow[] = [];
    const fresh: Evaluated[] = [];
    const deletes: string[] = [];
    for (const pair of pairs) {
      const row = existing.get(`${pair.need.facts.id}:${pair.offer.facts.id}`);
      if (!pair.inTop && !row) continue;
      const untouched = row?.status === 'suggested' && row.version === 1;
      if (!pair.inTop && row && untouched && !pair.eligibility.eligible) {
        deletes.push(row.id);
        continue;
      }
      if (row) upserts.push(this.rowOf(pair, glossary));
      else fresh.push(pair);
    }
    await this.upsert(m, 'in_offer_top', upserts);
    await this.insertFresh(m, 'in_offer_top', fresh, glossary);
    if (deletes.length)
      await m.query(`DELETE FROM match_suggestion WHERE id = ANY($1::uuid[])`, [deletes]);
  }
}
