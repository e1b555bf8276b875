import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Donor coordination: alerts on over-committed needs, donors overlapping on the same State
 * and control area, and offers committed beyond their envelope. One row per condition: the
 * dedupe key is unique, so detecting the same condition again (the event handler and the
 * periodic sweep, or a redelivered event) never raises a second alert.
 */
export class Coordination1764301100000 implements MigrationInterface {
  name = 'Coordination1764301100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE coordination_alert (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        kind text NOT NULL
          CHECK (kind IN ('over_commitment', 'donor_overlap', 'envelope_exceeded')),
        dedupe_key text NOT NULL,
        summary text NOT NULL,
        need_id uuid REFERENCES need(id) ON DELETE CASCADE,
        offer_id uuid REFERENCES offer(id) ON DELETE CASCADE,
        party_id uuid REFERENCES party(id) ON DELETE CASCADE,
        need_ids uuid[] NOT NULL DEFAULT '{}',
        donor_party_ids uuid[] NOT NULL DEFAULT '{}',
        details jsonb NOT NULL DEFAULT '{}'::jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        acknowledged_at timestamptz,
        acknowledged_by uuid,
        acknowledge_note text CHECK (char_length(acknowledge_note) <= 2000),
        CONSTRAINT coordination_alert_dedupe_key UNIQUE (dedupe_key)
      )`);
    await q.query(
      `CREATE INDEX coordination_alert_created_idx ON coordination_alert (created_at DESC, id DESC)`,
    );
    await q.query(`CREATE INDEX coordination_alert_party_idx ON coordination_alert (party_id)`);
    await q.query(
      `CREATE INDEX coordination_alert_donors_idx ON coordination_alert USING gin (donor_party_ids)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE coordination_alert`);
  }
}
