import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AppConfig } from '../../config/app-config';
import { ReferenceService } from '../reference/reference.service';
import { checkEligibility, Eligibility } from './engine/eligibility';
import { explain, Glossary } from './engine/explain';
import { scorePair, Scored } from './engine/score';
import { terms } from './engine/text';
import { DEFAULT_WEIGHTS, NeedFacts, OfferFacts, ScoreWeights } from './engine/types';
import {
  CANDIDATE_NEEDS,
  CANDIDATE_OFFERS,
  loadNeeds,
  loadOffers,
  loadPriorEngagement,
  Versioned,
} from './facts';

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
}

const today = () => new Date().toISOString().slice(0, 10);

/** Non-text weights rescaled to sum to 1, with any configured override applied. */
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
  return { ...Object.fromEntries(keys.map((k) => [k, w[k] / sum])), text: w.text } as ScoreWeights;
}

/**
 * Computes and stores the suggestions of one need or one offer. Idempotent: running it twice
 * for the same data gives the same rows. Serialised per record by an advisory lock, so two
 * jobs for the same record never interleave.
 */
@Injectable()
export class MatchingService {
  readonly weights: ScoreWeights;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly config: AppConfig,
    private readonly reference: ReferenceService,
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

  async match(side: Side, id: string): Promise<MatchRunResult> {
    const glossary = await this.glossary();
    return this.db.transaction(async (m) => {
      await m.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`match:${side}:${id}`]);
      const evaluated =
        side === 'need' ? await this.evaluateNeed(m, id) : await this.evaluateOffer(m, id);
      if (!evaluated)
        return { side, id, version: null, evaluated: 0, kept: 0, removed: 0, flaggedIneligible: 0 };
      const result = await this.store(m, side, id, evaluated.pairs, glossary);
      await m.query(`UPDATE ${side} SET matched_version = $2 WHERE id = $1`, [
        id,
        evaluated.version,
      ]);
      return { side, id, version: evaluated.version, ...result };
    });
  }

  private score(
    need: Versioned<NeedFacts>,
    offer: Versioned<OfferFacts>,
    prior: Awaited<ReturnType<typeof loadPriorEngagement>>,
    needTerms: Set<string>,
  ): Evaluated {
    const eligibility = checkEligibility(need.facts, offer.facts);
    const scored = scorePair(need.facts, offer.facts, this.weights, {
      today: today(),
      prior: prior.get(offer.facts.partyId),
      needTerms,
      offerTerms: terms(`${offer.facts.title} ${offer.facts.description}`, need.facts.language),
    });
    return { need, offer, eligibility, scored };
  }

  private async evaluateNeed(m: EntityManager, needId: string) {
    const [need] = await loadNeeds(m, 'n.id = $1', [needId]);
    if (!need) return null;
    const n = need.facts;
    const open = n.status === 'published' || n.status === 'partially_covered';
    const candidates = open
      ? await loadOffers(m, CANDIDATE_OFFERS, [n.assistanceTypes, n.neededBy, n.earliestStart])
      : [];
    const seen = new Set(candidates.map((o) => o.facts.id));
    const stored: { offer_id: string }[] = await m.query(
      `SELECT offer_id FROM match_suggestion WHERE need_id = $1`,
      [needId],
    );
    const others = stored.map((r) => r.offer_id).filter((id) => !seen.has(id));
    const offers = others.length
      ? candidates.concat(await loadOffers(m, 'o.id = ANY($1::uuid[])', [others]))
      : candidates;
    const prior = await loadPriorEngagement(m, [...new Set(offers.map((o) => o.facts.partyId))]);
    const needTerms = terms(`${n.title} ${n.description}`, n.language);
    return {
      version: need.version,
      pairs: offers.map((offer) => this.score(need, offer, prior, needTerms)),
    };
  }

  private async evaluateOffer(m: EntityManager, offerId: string) {
    const [offer] = await loadOffers(m, 'o.id = $1', [offerId]);
    if (!offer) return null;
    const o = offer.facts;
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
    const prior = await loadPriorEngagement(m, [o.partyId]);
    return {
      version: offer.version,
      pairs: needs.map((need) =>
        this.score(
          need,
          offer,
          prior,
          terms(`${need.facts.title} ${need.facts.description}`, need.facts.language),
        ),
      ),
    };
  }

  /**
   * Keeps the top K eligible pairs above the minimum score for this record (flag
   * `in_<side>_top`), refreshes scores of the other stored pairs, removes pairs no side keeps
   * and nobody acted on, and flags acted-on pairs that became ineligible.
   */
  private async store(
    m: EntityManager,
    side: Side,
    id: string,
    pairs: Evaluated[],
    glossary: Glossary,
  ) {
    const { MATCH_TOP_K: k, MATCH_MIN_SCORE: minScore } = this.config.env;
    const ranked = pairs
      .filter((p) => p.eligibility.eligible && p.scored.score >= minScore)
      .sort(
        (a, b) =>
          b.scored.score - a.scored.score ||
          (a.offer.facts.id + a.need.facts.id).localeCompare(b.offer.facts.id + b.need.facts.id),
      );
    const top = new Set(ranked.slice(0, k));
    const column = side === 'need' ? 'need_id' : 'offer_id';
    const topFlag = side === 'need' ? 'in_need_top' : 'in_offer_top';
    const otherFlag = side === 'need' ? 'in_offer_top' : 'in_need_top';
    const existing: {
      id: string;
      need_id: string;
      offer_id: string;
      status: string;
      version: number;
    }[] = await m.query(
      `SELECT id, need_id, offer_id, status, version FROM match_suggestion WHERE ${column} = $1 FOR UPDATE`,
      [id],
    );
    const existingByPair = new Map(existing.map((r) => [`${r.need_id}:${r.offer_id}`, r]));
    let kept = 0;
    let removed = 0;
    let flaggedIneligible = 0;
    for (const pair of pairs) {
      const key = `${pair.need.facts.id}:${pair.offer.facts.id}`;
      const row = existingByPair.get(key);
      const inTop = top.has(pair);
      if (!inTop && !row) continue;
      const values = [
        pair.need.facts.id,
        pair.offer.facts.id,
        pair.need.facts.partyId,
        pair.offer.facts.partyId,
        pair.scored.score,
        JSON.stringify(pair.scored.components),
        pair.eligibility.passed,
        pair.eligibility.failed,
        explain(
          pair.need.facts,
          pair.offer.facts,
          pair.eligibility,
          pair.scored.components,
          glossary,
        ),
        pair.eligibility.eligible,
        pair.eligibility.partial,
        inTop,
        pair.need.version,
        pair.offer.version,
      ];
      if (inTop) kept++;
      // Nobody acted on a row still at version 1 (an interest keeps `suggested` but bumps it).
      const untouched = row?.status === 'suggested' && row.version === 1;
      if (!inTop && row && untouched && !pair.eligibility.eligible) {
        await m.query(`DELETE FROM match_suggestion WHERE id = $1`, [row.id]);
        removed++;
        continue;
      }
      if (!pair.eligibility.eligible) flaggedIneligible++;
      await m.query(
        `INSERT INTO match_suggestion (need_id, offer_id, need_party_id, offer_party_id, score, components,
                rules_passed, rules_failed, explanation, eligible, partial, ${topFlag}, need_version, offer_version)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
         ON CONFLICT (need_id, offer_id) DO UPDATE SET
           score = EXCLUDED.score, components = EXCLUDED.components, rules_passed = EXCLUDED.rules_passed,
           rules_failed = EXCLUDED.rules_failed, explanation = EXCLUDED.explanation, eligible = EXCLUDED.eligible,
           partial = EXCLUDED.partial, ${topFlag} = EXCLUDED.${topFlag}, need_version = EXCLUDED.need_version,
           offer_version = EXCLUDED.offer_version, computed_at = now()`,
        values,
      );
    }
    // Pairs that neither side keeps any more and that nobody acted on are removed.
    const dropped: { id: string }[] = await m.query(
      `DELETE FROM match_suggestion WHERE ${column} = $1 AND status = 'suggested' AND version = 1 AND NOT ${topFlag} AND NOT ${otherFlag} RETURNING id`,
      [id],
    );
    removed += dropped.length;
    return { evaluated: pairs.length, kept, removed, flaggedIneligible };
  }
}
