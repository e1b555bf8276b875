import { MigrationInterface, QueryRunner } from 'typeorm';

/** Stored match suggestions, and the version of each need and offer its matches reflect. */
export class Matching1764300500000 implements MigrationInterface {
  name = 'Matching1764300500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE match_suggestion (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        need_id uuid NOT NULL REFERENCES need(id) ON DELETE CASCADE,
        offer_id uuid NOT NULL REFERENCES offer(id) ON DELETE CASCADE,
        need_party_id uuid NOT NULL,
        offer_party_id uuid NOT NULL,
        score numeric(5,4) NOT NULL CHECK (score BETWEEN 0 AND 1),
        components jsonb NOT NULL,
        rules_passed text[] NOT NULL,
        rules_failed text[] NOT NULL DEFAULT '{}',
        explanation text NOT NULL,
        eligible boolean NOT NULL DEFAULT true,
        partial boolean NOT NULL DEFAULT false,
        in_need_top boolean NOT NULL DEFAULT false,
        in_offer_top boolean NOT NULL DEFAULT false,
        status varchar(20) NOT NULL DEFAULT 'suggested' CHECK (status IN
          ('suggested','shortlisted','proposed','agreed','committed','in_delivery','delivered','closed','declined')),
        version integer NOT NULL DEFAULT 1,
        need_version integer NOT NULL,
        offer_version integer NOT NULL,
        computed_at timestamptz NOT NULL DEFAULT now(),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT match_suggestion_pair_uq UNIQUE (need_id, offer_id)
      )`);
    await q.query(
      `CREATE INDEX match_suggestion_need_idx ON match_suggestion (need_id, score DESC)`,
    );
    await q.query(
      `CREATE INDEX match_suggestion_offer_idx ON match_suggestion (offer_id, score DESC)`,
    );
    await q.query(
      `CREATE INDEX match_suggestion_status_idx ON match_suggestion (status) WHERE status <> 'suggested'`,
    );
    // The version of the record whose matches are stored; the reconciler re-runs the others.
    await q.query(`ALTER TABLE need ADD COLUMN matched_version integer`);
    await q.query(`ALTER TABLE offer ADD COLUMN matched_version integer`);
    await q.query(
      `CREATE INDEX need_unmatched_idx ON need (id) WHERE matched_version IS DISTINCT FROM version`,
    );
    await q.query(
      `CREATE INDEX offer_unmatched_idx ON offer (id) WHERE matched_version IS DISTINCT FROM version`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX offer_unmatched_idx`);
    await q.query(`DROP INDEX need_unmatched_idx`);
    await q.query(`ALTER TABLE offer DROP COLUMN matched_version`);
    await q.query(`ALTER TABLE need DROP COLUMN matched_version`);
    await q.query(`DROP TABLE match_suggestion`);
  }
}
