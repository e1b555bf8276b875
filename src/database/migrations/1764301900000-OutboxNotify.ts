import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A committed change event wakes the relays at once: every statement that inserts into
 * `outbox_event` sends a notification on the channel `outbox_event`, which PostgreSQL
 * delivers to the listening relays when (and only if) the transaction commits. The relays
 * still poll, so a notification missed while a listener reconnects delays an event, never
 * loses it.
 */
export class OutboxNotify1764301900000 implements MigrationInterface {
  name = 'OutboxNotify1764301900000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION outbox_event_notify() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        -- One notification per statement; PostgreSQL folds repeats within a transaction.
        PERFORM pg_notify('outbox_event', '');
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER outbox_event_notify AFTER INSERT ON outbox_event
        FOR EACH STATEMENT EXECUTE FUNCTION outbox_event_notify()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER outbox_event_notify ON outbox_event`);
    await q.query(`DROP FUNCTION outbox_event_notify()`);
  }
}
