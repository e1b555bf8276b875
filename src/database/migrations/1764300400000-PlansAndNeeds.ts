import { MigrationInterface, QueryRunner } from 'typeorm';

/** National Action Plans with their ranked items, and States' declared needs. */
export class PlansAndNeeds1764300400000 implements MigrationInterface {
  name = 'PlansAndNeeds1764300400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE national_action_plan (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        party_id uuid NOT NULL REFERENCES party(id),
        country_code char(3) NOT NULL REFERENCES country(alpha3),
        title varchar(200) NOT NULL,
        period_start date NOT NULL,
        period_end date NOT NULL,
        coordinating_body varchar(300) NOT NULL,
        status varchar(20) NOT NULL DEFAULT 'draft'
          CHECK (status IN ('draft','adopted','under_revision','closed')),
        created_by uuid REFERENCES app_user(id),
        created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp()),
        updated_at timestamptz NOT NULL DEFAULT now(),
        version integer NOT NULL DEFAULT 1,
        CONSTRAINT national_action_plan_period CHECK (period_start <= period_end)
      )`);
    await q.query(`CREATE INDEX national_action_plan_party_idx ON national_action_plan (party_id)`);
    await q.query(
      `CREATE INDEX national_action_plan_created_idx ON national_action_plan (created_at DESC, id DESC)`,
    );

    await q.query(`
      CREATE TABLE plan_item (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        plan_id uuid NOT NULL REFERENCES national_action_plan(id) ON DELETE CASCADE,
        title varchar(300) NOT NULL,
        rank integer NOT NULL CHECK (rank >= 1),
        control_areas text[] NOT NULL DEFAULT '{}'
      )`);
    await q.query(`CREATE INDEX plan_item_plan_idx ON plan_item (plan_id, rank)`);
    await q.query(
      `CREATE INDEX plan_item_control_areas_gin ON plan_item USING gin (control_areas)`,
    );

    await q.query(`
      CREATE TABLE need (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        party_id uuid NOT NULL REFERENCES party(id),
        country_code char(3) NOT NULL REFERENCES country(alpha3),
        title varchar(200) NOT NULL,
        description text NOT NULL CHECK (char_length(description) <= 10000),
        language varchar(2) NOT NULL CHECK (language IN ('ar','zh','en','fr','ru','es')),
        control_areas text[] NOT NULL DEFAULT '{}',
        assistance_types text[] NOT NULL DEFAULT '{}',
        frameworks text[] NOT NULL DEFAULT '{}',
        priority varchar(8) NOT NULL CHECK (priority IN ('high','medium','low')),
        rank integer CHECK (rank >= 1),
        estimated_amount numeric(18,2) NOT NULL CHECK (estimated_amount > 0),
        estimated_currency char(3) NOT NULL CHECK (estimated_currency ~ '^[A-Z]{3}$'),
        estimated_usd numeric(18,2) NOT NULL CHECK (estimated_usd >= 0),
        usd_rate numeric(20,10) NOT NULL,
        rate_date date NOT NULL,
        covered_usd numeric(18,2) NOT NULL DEFAULT 0,
        earliest_start date,
        needed_by date NOT NULL,
        visibility varchar(12) NOT NULL CHECK (visibility IN ('public','donors','secretariat')),
        plan_item_id uuid REFERENCES plan_item(id) ON DELETE RESTRICT,
        location varchar(300),
        implementer varchar(300),
        status varchar(20) NOT NULL DEFAULT 'draft'
          CHECK (status IN ('draft','submitted','under_review','published','partially_covered',
                            'covered','closed','withdrawn','expired')),
        status_note text,
        filed_on_behalf boolean NOT NULL DEFAULT false,
        created_by uuid REFERENCES app_user(id),
        submitted_at timestamptz,
        published_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp()),
        updated_at timestamptz NOT NULL DEFAULT now(),
        version integer NOT NULL DEFAULT 1,
        CONSTRAINT need_window CHECK (earliest_start IS NULL OR earliest_start <= needed_by)
      )`);
    await q.query(`CREATE INDEX need_created_idx ON need (created_at DESC, id DESC)`);
    await q.query(`CREATE INDEX need_party_idx ON need (party_id, created_at DESC)`);
    await q.query(`CREATE INDEX need_country_idx ON need (country_code)`);
    await q.query(`CREATE INDEX need_status_idx ON need (status)`);
    await q.query(`CREATE INDEX need_estimated_usd_idx ON need (estimated_usd)`);
    await q.query(
      `CREATE INDEX need_plan_item_idx ON need (plan_item_id) WHERE plan_item_id IS NOT NULL`,
    );
    await q.query(`CREATE INDEX need_control_areas_gin ON need USING gin (control_areas)`);
    await q.query(`CREATE INDEX need_assistance_types_gin ON need USING gin (assistance_types)`);
    await q.query(`CREATE INDEX need_frameworks_gin ON need USING gin (frameworks)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE need`);
    await q.query(`DROP TABLE plan_item`);
    await q.query(`DROP TABLE national_action_plan`);
  }
}
