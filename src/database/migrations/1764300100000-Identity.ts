import { MigrationInterface, QueryRunner } from 'typeorm';

/** Parties, their contact points, users, and the append-only audit trail. */
export class Identity1764300100000 implements MigrationInterface {
  name = 'Identity1764300100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE party (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        type varchar(32) NOT NULL CHECK (type IN ('state','international_organisation','regional_organisation','trust_fund','ngo')),
        name varchar(200) NOT NULL,
        acronym varchar(32),
        country_code char(3) REFERENCES country(alpha3),
        active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        version integer NOT NULL DEFAULT 1,
        CONSTRAINT party_state_has_country CHECK ((type = 'state') = (country_code IS NOT NULL))
      )`);
    // One party per State; organisation names are unique regardless of case.
    await q.query(
      `CREATE UNIQUE INDEX party_state_country_uq ON party (country_code) WHERE type = 'state'`,
    );
    await q.query(`CREATE UNIQUE INDEX party_name_uq ON party (lower(name))`);

    await q.query(`
      CREATE TABLE party_contact (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        party_id uuid NOT NULL REFERENCES party(id) ON DELETE CASCADE,
        role varchar(40) NOT NULL CHECK (role IN ('poa_point_of_contact','iti_point_of_contact','att_point_of_contact','assistance_focal_point','other')),
        name varchar(200) NOT NULL,
        title varchar(200),
        organisation varchar(200),
        email varchar(320),
        phone varchar(50),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX party_contact_party_idx ON party_contact (party_id)`);

    await q.query(`
      CREATE TABLE app_user (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        party_id uuid NOT NULL REFERENCES party(id),
        email varchar(320) NOT NULL CHECK (email = lower(email)),
        name varchar(200) NOT NULL,
        password_hash text NOT NULL,
        roles text[] NOT NULL CHECK (cardinality(roles) > 0 AND roles <@ ARRAY['national_contact','donor_focal_point','secretariat','admin']::text[]),
        active boolean NOT NULL DEFAULT true,
        language varchar(2) NOT NULL DEFAULT 'en' CHECK (language IN ('ar','zh','en','fr','ru','es')),
        totp_secret_encrypted text,
        totp_enabled_at timestamptz,
        password_changed_at timestamptz NOT NULL DEFAULT now(),
        last_login_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        version integer NOT NULL DEFAULT 1
      )`);
    await q.query(`CREATE UNIQUE INDEX app_user_email_uq ON app_user (email)`);
    await q.query(`CREATE INDEX app_user_party_idx ON app_user (party_id)`);
    await q.query(`CREATE INDEX app_user_roles_idx ON app_user USING gin (roles)`);

    await q.query(`
      CREATE TABLE audit_entry (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        -- Millisecond precision, so keyset cursors round-trip through JavaScript dates exactly.
        at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp()),
        actor_kind varchar(16) NOT NULL CHECK (actor_kind IN ('user','api_key','system','anonymous')),
        actor_user_id uuid,
        actor_party_id uuid,
        actor_api_key_id uuid,
        action varchar(80) NOT NULL,
        entity_type varchar(40) NOT NULL,
        entity_id varchar(64),
        entity_party_id uuid,
        changes jsonb,
        metadata jsonb,
        request_id varchar(128),
        job_id varchar(128),
        ip varchar(64)
      )`);
    await q.query(`CREATE INDEX audit_entry_at_idx ON audit_entry (at DESC, id DESC)`);
    await q.query(
      `CREATE INDEX audit_entry_entity_idx ON audit_entry (entity_type, entity_id, at DESC)`,
    );
    await q.query(
      `CREATE INDEX audit_entry_actor_user_idx ON audit_entry (actor_user_id, at DESC)`,
    );
    await q.query(`CREATE INDEX audit_entry_party_idx ON audit_entry (entity_party_id, at DESC)`);
    await q.query(
      `CREATE INDEX audit_entry_actor_party_idx ON audit_entry (actor_party_id, at DESC)`,
    );
    await q.query(`CREATE INDEX audit_entry_request_idx ON audit_entry (request_id)`);
    // Append-only for every role, the application's included (a trigger binds even its owner).
    await q.query(`
      CREATE FUNCTION audit_entry_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_entry is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`
      CREATE TRIGGER audit_entry_no_update_delete BEFORE UPDATE OR DELETE ON audit_entry
      FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only()`);
    await q.query(`
      CREATE TRIGGER audit_entry_no_truncate BEFORE TRUNCATE ON audit_entry
      FOR EACH STATEMENT EXECUTE FUNCTION audit_entry_append_only()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE audit_entry`);
    await q.query(`DROP FUNCTION audit_entry_append_only()`);
    await q.query(`DROP TABLE app_user`);
    await q.query(`DROP TABLE party_contact`);
    await q.query(`DROP TABLE party`);
  }
}
