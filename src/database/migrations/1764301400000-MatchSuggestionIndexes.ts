import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Indexes of match_suggestion for the full re-match at scale:
 *  - the pairs an offer keeps (`in_offer_top`), by offer: the offers' side of a full
 *    re-match finds the ones to unflag there instead of reading every stored pair of each
 *    offer (about a hundred per offer at the benchmark's scale). Only flagged rows are indexed;
 *  - `match_suggestion_need_idx (need_id, score DESC)` is dropped: every query by need is an
 *    equality on need_id (one need, or `= ANY` of a batch), which the pair's unique index
 *    (need_id, offer_id) serves, sorting a need's ten or so rows where an order is asked for.
 *    One index fewer to write for each of the ~880,000 rows a full re-match inserts.
 */
export class MatchSuggestionIndexes1764301400000 implements MigrationInterface {
  name = 'MatchSuggestionIndexes1764301400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX match_suggestion_offer_top_idx ON match_suggestion (offer_id) WHERE in_offer_top`,
    );
    await q.query(`DROP INDEX match_suggestion_need_idx`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX match_suggestion_need_idx ON match_suggestion (need_id, score DESC)`,
    );
    await q.query(`DROP INDEX match_suggestion_offer_top_idx`);
  }
}
