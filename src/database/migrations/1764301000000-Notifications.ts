import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Notifications (issue 9): the events people are told about, one delivery row per
 * (event, recipient, channel) — unique, so nothing is sent twice — with its status, attempts,
 * lease and retry schedule; webhook endpoints of parties with their attempt log; and each
 * user's channel preferences per event type.
 */
export class Notifications1764301000000 implements MigrationInterface {
  name = 'Notifications1764301000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE notification_event (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        dedupe_key varchar(200) NOT NULL,
        type varchar(80) NOT NULL,
        entity_type varchar(40) NOT NULL,
        entity_id uuid,
        data jsonb NOT NULL DEFAULT '{}'::jsonb,
        outbox_id bigint,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT notification_event_dedupe_key UNIQUE (dedupe_key)
      )`);
    await q.query(`
      CREATE TABLE webhook_endpoint (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        party_id uuid NOT NULL REFERENCES party(id) ON DELETE CASCADE,
        url varchar(2000) NOT NULL,
        description varchar(300),
        event_types text[] NOT NULL CHECK (cardinality(event_types) > 0),
        secret_sealed text NOT NULL,
        secret_hint varchar(16) NOT NULL,
        active boolean NOT NULL DEFAULT true,
        disabled_at timestamptz,
        disabled_reason text,
        failing_since timestamptz,
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        version int NOT NULL DEFAULT 1
      )`);
    await q.query(`CREATE INDEX webhook_endpoint_party_idx ON webhook_endpoint (party_id)`);
    await q.query(`
      CREATE TABLE notification_delivery (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        event_id uuid NOT NULL REFERENCES notification_event(id) ON DELETE CASCADE,
        channel varchar(10) NOT NULL CHECK (channel IN ('in_app','email','webhook')),
        user_id uuid REFERENCES app_user(id) ON DELETE CASCADE,
        endpoint_id uuid REFERENCES webhook_endpoint(id) ON DELETE CASCADE,
        status varchar(12) NOT NULL CHECK (status IN
          ('pending','sending','sent','failed','uncertain','digest','digested','cancelled')),
        attempts int NOT NULL DEFAULT 0 CHECK (attempts >= 0),
        next_attempt_at timestamptz,
        lease_until timestamptz,
        first_attempt_at timestamptz,
        last_error text,
        sent_at timestamptz,
        read_at timestamptz,
        title text,
        body text,
        link text,
        digest_delivery_id uuid REFERENCES notification_delivery(id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT notification_delivery_recipient CHECK (
          (channel = 'webhook' AND endpoint_id IS NOT NULL AND user_id IS NULL) OR
          (channel <> 'webhook' AND user_id IS NOT NULL AND endpoint_id IS NULL))
      )`);
    // Exactly once per (event, recipient, channel): the database refuses a second row.
    await q.query(`
      CREATE UNIQUE INDEX notification_delivery_once
        ON notification_delivery (event_id, channel, (COALESCE(user_id, endpoint_id)))`);
    await q.query(`
      CREATE INDEX notification_delivery_due_idx ON notification_delivery (next_attempt_at)
        WHERE status = 'pending'`);
    await q.query(`
      CREATE INDEX notification_delivery_lease_idx ON notification_delivery (lease_until)
        WHERE status = 'sending'`);
    await q.query(`
      CREATE INDEX notification_inbox_idx ON notification_delivery
        (user_id, (read_at IS NOT NULL), created_at DESC, id DESC) WHERE channel = 'in_app'`);
    await q.query(`
      CREATE INDEX notification_digest_idx ON notification_delivery (user_id)
        WHERE status = 'digest'`);
    await q.query(`
      CREATE INDEX notification_webhook_log_idx ON notification_delivery
        (endpoint_id, created_at DESC, id DESC) WHERE channel = 'webhook'`);
    await q.query(`
      CREATE TABLE webhook_attempt (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        delivery_id uuid NOT NULL REFERENCES notification_delivery(id) ON DELETE CASCADE,
        endpoint_id uuid NOT NULL REFERENCES webhook_endpoint(id) ON DELETE CASCADE,
        attempt int NOT NULL CHECK (attempt > 0),
        started_at timestamptz NOT NULL,
        duration_ms int,
        status_code int,
        error text,
        success boolean NOT NULL,
        CONSTRAINT webhook_attempt_once UNIQUE (delivery_id, attempt)
      )`);
    await q.query(`
      CREATE TABLE notification_preference (
        user_id uuid NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
        event_type varchar(80) NOT NULL,
        in_app boolean NOT NULL,
        email boolean NOT NULL,
        email_mode varchar(10) NOT NULL CHECK (email_mode IN ('immediate','digest')),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (user_id, event_type)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE notification_preference`);
    await q.query(`DROP TABLE webhook_attempt`);
    await q.query(`DROP TABLE notification_delivery`);
    await q.query(`DROP TABLE webhook_endpoint`);
    await q.query(`DROP TABLE notification_event`);
  }
}
