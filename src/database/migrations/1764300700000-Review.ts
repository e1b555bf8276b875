import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Reviewing matches: interest and decline on the match row, commitments, the discussion per
 * match, and consent before circulation for needs the secretariat filed on a State's behalf.
 */
export class Review1764300700000 implements MigrationInterface {
  name = 'Review1764300700000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE match_suggestion
        ADD COLUMN state_interest_at timestamptz,
        ADD COLUMN donor_interest_at timestamptz,
        ADD COLUMN decline_reason_code varchar(16)
          CHECK (decline_reason_code IN ('out_of_scope','no_budget','duplicate','timing','other')),
        ADD COLUMN decline_note text,
        ADD COLUMN declined_by varchar(12) CHECK (declined_by IN ('state','donor','secretariat'))`);
    await q.query(`
      CREATE TABLE commitment (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        match_id uuid NOT NULL REFERENCES match_suggestion(id) ON DELETE RESTRICT,
        need_id uuid NOT NULL REFERENCES need(id) ON DELETE RESTRICT,
        offer_id uuid NOT NULL REFERENCES offer(id) ON DELETE RESTRICT,
        amount numeric(18,2) NOT NULL CHECK (amount > 0),
        currency char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
        amount_usd numeric(18,2) NOT NULL CHECK (amount_usd >= 0),
        usd_rate numeric(20,10) NOT NULL,
        rate_date date NOT NULL,
        implementer varchar(300) NOT NULL,
        start_date date NOT NULL,
        end_date date NOT NULL,
        over_commitment boolean NOT NULL DEFAULT false,
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT commitment_window CHECK (start_date <= end_date)
      )`);
    await q.query(`CREATE INDEX commitment_need_idx ON commitment (need_id)`);
    await q.query(`CREATE INDEX commitment_offer_idx ON commitment (offer_id)`);
    await q.query(`CREATE INDEX commitment_match_idx ON commitment (match_id)`);
    await q.query(`
      CREATE TABLE match_comment (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        match_id uuid NOT NULL REFERENCES match_suggestion(id) ON DELETE CASCADE,
        author_user_id uuid,
        author_party_id uuid,
        body text NOT NULL CHECK (char_length(body) <= 5000),
        edited_at timestamptz,
        deleted_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE INDEX match_comment_match_idx ON match_comment (match_id, created_at, id)`,
    );
    await q.query(`
      ALTER TABLE need
        ADD COLUMN consent_status varchar(12)
          CHECK (consent_status IN ('pending','given','no_objection','objected')),
        ADD COLUMN consent_deadline timestamptz,
        ADD COLUMN consent_at timestamptz,
        ADD COLUMN consent_note text`);
    await q.query(
      `CREATE INDEX need_consent_pending_idx ON need (consent_deadline) WHERE consent_status = 'pending'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX need_consent_pending_idx`);
    await q.query(`
      ALTER TABLE need
        DROP COLUMN consent_note, DROP COLUMN consent_at, DROP COLUMN consent_deadline,
        DROP COLUMN consent_status`);
    await q.query(`DROP TABLE match_comment`);
    await q.query(`DROP TABLE commitment`);
    await q.query(`
      ALTER TABLE match_suggestion
        DROP COLUMN declined_by, DROP COLUMN decline_note, DROP COLUMN decline_reason_code,
        DROP COLUMN donor_interest_at, DROP COLUMN state_interest_at`);
  }
}
