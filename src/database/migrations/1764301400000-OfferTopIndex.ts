import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The pairs an offer keeps (`in_offer_top`), by offer: the offers' side of a full re-match
 * finds the ones to unflag there instead of reading every stored pair of each offer (about a
 * hundred per offer at the benchmark's scale). Only flagged rows are indexed.
 */
export class OfferTopIndex1764301400000 implements MigrationInterface {
  name = 'OfferTopIndex1764301400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX match_suggestion_offer_top_idx ON match_suggestion (offer_id) WHERE in_offer_top`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX match_suggestion_offer_top_idx`);
  }
}
