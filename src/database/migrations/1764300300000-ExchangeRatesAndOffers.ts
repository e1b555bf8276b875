import { MigrationInterface, QueryRunner } from 'typeorm';

/** Dated exchange rates to USD (kept by the secretariat) and donors' capacity offers. */
export class ExchangeRatesAndOffers1764300300000 implements MigrationInterface {
  name = 'ExchangeRatesAndOffers1764300300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE exchange_rate (
        currency char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
        rate_date date NOT NULL,
        usd_per_unit numeric(20,10) NOT NULL CHECK (usd_per_unit > 0),
        source varchar(200),
        created_at timestamptz NOT NULL DEFAULT now(),
        created_by uuid,
        PRIMARY KEY (currency, rate_date)
      )`);
    // USD always converts: the base rate, valid from long before any record.
    await q.query(
      `INSERT INTO exchange_rate (currency, rate_date, usd_per_unit, source)
       VALUES ('USD', '1900-01-01', 1, 'base currency')`,
    );

    await q.query(`
      CREATE TABLE offer (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        party_id uuid NOT NULL REFERENCES party(id),
        title varchar(200) NOT NULL,
        description text NOT NULL,
        control_areas text[] NOT NULL DEFAULT '{}',
        assistance_types text[] NOT NULL DEFAULT '{}',
        eligibility_regions text[] NOT NULL DEFAULT '{}',
        eligibility_groups text[] NOT NULL DEFAULT '{}',
        eligibility_countries text[] NOT NULL DEFAULT '{}',
        exclude_countries text[] NOT NULL DEFAULT '{}',
        budget_total numeric(20,2) NOT NULL CHECK (budget_total > 0),
        budget_currency char(3) NOT NULL,
        min_per_project numeric(20,2) CHECK (min_per_project > 0),
        max_per_project numeric(20,2) CHECK (max_per_project > 0),
        total_usd numeric(20,2) NOT NULL CHECK (total_usd >= 0),
        rate_date date NOT NULL,
        committed_usd numeric(20,2) NOT NULL DEFAULT 0 CHECK (committed_usd >= 0),
        remaining_usd numeric(20,2) GENERATED ALWAYS AS (total_usd - committed_usd) STORED,
        start_date date NOT NULL,
        end_date date NOT NULL,
        languages text[] NOT NULL DEFAULT '{}',
        modality varchar(16) NOT NULL CHECK (modality IN ('bilateral','trust_fund','experts','equipment')),
        conditions varchar(5000),
        status varchar(16) NOT NULL DEFAULT 'draft' CHECK (status IN ('draft','active','paused','exhausted','closed')),
        created_by uuid,
        -- Millisecond precision, so keyset cursors round-trip through JavaScript dates exactly.
        created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp()),
        updated_at timestamptz NOT NULL DEFAULT now(),
        version integer NOT NULL DEFAULT 1,
        CONSTRAINT offer_window CHECK (start_date <= end_date),
        CONSTRAINT offer_min_max CHECK (min_per_project IS NULL OR max_per_project IS NULL OR min_per_project <= max_per_project),
        CONSTRAINT offer_max_total CHECK (max_per_project IS NULL OR max_per_project <= budget_total),
        CONSTRAINT offer_min_total CHECK (min_per_project IS NULL OR min_per_project <= budget_total)
      )`);
    await q.query(`CREATE INDEX offer_party_idx ON offer (party_id)`);
    await q.query(`CREATE INDEX offer_status_idx ON offer (status)`);
    await q.query(`CREATE INDEX offer_list_idx ON offer (created_at DESC, id DESC)`);
    await q.query(`CREATE INDEX offer_control_areas_idx ON offer USING gin (control_areas)`);
    await q.query(`CREATE INDEX offer_assistance_types_idx ON offer USING gin (assistance_types)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE offer`);
    await q.query(`DROP TABLE exchange_rate`);
  }
}
