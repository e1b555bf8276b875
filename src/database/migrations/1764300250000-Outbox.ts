import { MigrationInterface, QueryRunner } from 'typeorm';

/** Change events written in the same transaction as the change, relayed to the queue. */
export class Outbox1764300250000 implements MigrationInterface {
  name = 'Outbox1764300250000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE outbox_event (
        id bigserial PRIMARY KEY,
        type varchar(80) NOT NULL,
        entity_type varchar(40) NOT NULL,
        entity_id uuid NOT NULL,
        version integer NOT NULL,
        party_id uuid,
        request_id varchar(128),
        created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        published_at timestamptz
      )`);
    // The relay only ever scans what is not yet published.
    await q.query(
      `CREATE INDEX outbox_event_pending_idx ON outbox_event (id) WHERE published_at IS NULL`,
    );
    await q.query(
      `CREATE INDEX outbox_event_entity_idx ON outbox_event (entity_type, entity_id, id)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE outbox_event`);
  }
}
