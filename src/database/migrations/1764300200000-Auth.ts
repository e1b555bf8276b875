import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Sign-in sessions (refresh-token families), refresh tokens, failed-login counting,
 * password-reset tokens, TOTP recovery codes and API keys. Secrets are stored only as
 * sha256 hex digests (tokens and keys carry 256 bits of randomness, so no salt is needed).
 */
export class Auth1764300200000 implements MigrationInterface {
  name = 'Auth1764300200000';

  async up(q: QueryRunner): Promise<void> {
    // The last TOTP time step accepted for a user: a code is never accepted twice (RFC 6238 §5.2).
    await q.query(`ALTER TABLE app_user ADD COLUMN totp_last_used_step bigint`);

    await q.query(`
      CREATE TABLE auth_session (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_used_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        revoked_at timestamptz,
        revoked_reason varchar(40),
        ip varchar(64),
        user_agent varchar(300),
        CONSTRAINT auth_session_revoked_has_reason CHECK ((revoked_at IS NULL) = (revoked_reason IS NULL))
      )`);
    await q.query(
      `CREATE INDEX auth_session_user_active_idx ON auth_session (user_id) WHERE revoked_at IS NULL`,
    );

    await q.query(`
      CREATE TABLE refresh_token (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        session_id uuid NOT NULL REFERENCES auth_session(id) ON DELETE CASCADE,
        token_hash char(64) NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        used_at timestamptz,
        replaced_by uuid REFERENCES refresh_token(id) ON DELETE SET NULL
      )`);
    await q.query(`CREATE UNIQUE INDEX refresh_token_hash_uq ON refresh_token (token_hash)`);
    await q.query(`CREATE INDEX refresh_token_session_idx ON refresh_token (session_id)`);

    // Ordered by id (identity) so that concurrent attempts can be counted "before me" exactly.
    await q.query(`
      CREATE TABLE login_attempt (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        email varchar(320) NOT NULL,
        ip varchar(64) NOT NULL,
        succeeded boolean NOT NULL DEFAULT false,
        outcome varchar(20) NOT NULL CHECK (outcome IN ('pending','succeeded','invalid_credentials','invalid_totp','totp_required','rate_limited')),
        at timestamptz NOT NULL DEFAULT clock_timestamp(),
        CONSTRAINT login_attempt_succeeded_outcome CHECK (succeeded = (outcome = 'succeeded'))
      )`);
    await q.query(`CREATE INDEX login_attempt_email_at_idx ON login_attempt (email, at)`);
    await q.query(`CREATE INDEX login_attempt_ip_at_idx ON login_attempt (ip, at)`);

    await q.query(`
      CREATE TABLE password_reset_token (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
        token_hash char(64) NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        used_at timestamptz
      )`);
    await q.query(
      `CREATE UNIQUE INDEX password_reset_token_hash_uq ON password_reset_token (token_hash)`,
    );
    await q.query(
      `CREATE INDEX password_reset_token_user_idx ON password_reset_token (user_id, created_at)`,
    );

    await q.query(`
      CREATE TABLE totp_recovery_code (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
        code_hash char(64) NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        used_at timestamptz
      )`);
    await q.query(
      `CREATE UNIQUE INDEX totp_recovery_code_user_hash_uq ON totp_recovery_code (user_id, code_hash)`,
    );

    await q.query(`
      CREATE TABLE api_key (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        party_id uuid NOT NULL REFERENCES party(id),
        created_by uuid NOT NULL REFERENCES app_user(id),
        name varchar(100) NOT NULL,
        role varchar(32) NOT NULL CHECK (role IN ('national_contact','donor_focal_point','secretariat','admin')),
        prefix varchar(16) NOT NULL,
        secret_hash char(64) NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_used_at timestamptz,
        revoked_at timestamptz
      )`);
    await q.query(`CREATE UNIQUE INDEX api_key_prefix_uq ON api_key (prefix)`);
    await q.query(`CREATE INDEX api_key_party_idx ON api_key (party_id, created_at DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE api_key`);
    await q.query(`DROP TABLE totp_recovery_code`);
    await q.query(`DROP TABLE password_reset_token`);
    await q.query(`DROP TABLE login_attempt`);
    await q.query(`DROP TABLE refresh_token`);
    await q.query(`DROP TABLE auth_session`);
    await q.query(`ALTER TABLE app_user DROP COLUMN totp_last_used_step`);
  }
}
