import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The text-search configuration of a need's language: PostgreSQL 15 ships stemmers for
 * English, French, Spanish, Russian and Arabic; Chinese (and anything else) uses `simple`.
 */
const NEED_CONFIG = `(CASE language
    WHEN 'en' THEN 'english'::regconfig
    WHEN 'fr' THEN 'french'::regconfig
    WHEN 'es' THEN 'spanish'::regconfig
    WHEN 'ru' THEN 'russian'::regconfig
    WHEN 'ar' THEN 'arabic'::regconfig
    ELSE 'simple'::regconfig END)`;

/**
 * Full-text search (stored generated tsvector columns with GIN indexes), trigram indexes on
 * titles for short and misspelt queries, keys for the sorts of the lists, a stable external
 * reference per imported record, and the import jobs.
 */
export class Search1764300600000 implements MigrationInterface {
  name = 'Search1764300600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);

    // Needs: title (weight A) and description (B) in the record's own language, plus the
    // title's words unstemmed (simple) so an exact word matches whatever the query language.
    await q.query(`
      ALTER TABLE need ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector(${NEED_CONFIG}, title), 'A') ||
        setweight(to_tsvector('simple'::regconfig, title), 'A') ||
        setweight(to_tsvector(${NEED_CONFIG}, description), 'B')
      ) STORED`);
    await q.query(`
      ALTER TABLE need ADD COLUMN priority_weight smallint GENERATED ALWAYS AS (
        CASE priority WHEN 'high' THEN 3 WHEN 'medium' THEN 2 ELSE 1 END
      ) STORED`);
    await q.query(`ALTER TABLE need ADD COLUMN external_ref varchar(100)`);
    await q.query(`ALTER TABLE need ADD COLUMN external_hash char(64)`);
    await q.query(`CREATE INDEX need_search_idx ON need USING gin (search_vector)`);
    await q.query(`CREATE INDEX need_title_trgm_idx ON need USING gin (title gin_trgm_ops)`);
    await q.query(
      `CREATE INDEX need_priority_sort_idx ON need (priority_weight DESC, created_at DESC, id DESC)`,
    );
    await q.query(`CREATE INDEX need_cost_sort_idx ON need (estimated_usd DESC, id DESC)`);
    await q.query(
      `CREATE UNIQUE INDEX need_external_ref_uq ON need (party_id, external_ref) WHERE external_ref IS NOT NULL`,
    );

    // Offers carry no language of their text: English stemming plus unstemmed words.
    await q.query(`
      ALTER TABLE offer ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english'::regconfig, title), 'A') ||
        setweight(to_tsvector('simple'::regconfig, title), 'A') ||
        setweight(to_tsvector('english'::regconfig, description), 'B') ||
        setweight(to_tsvector('simple'::regconfig, description), 'D')
      ) STORED`);
    await q.query(`ALTER TABLE offer ADD COLUMN external_ref varchar(100)`);
    await q.query(`ALTER TABLE offer ADD COLUMN external_hash char(64)`);
    await q.query(`CREATE INDEX offer_search_idx ON offer USING gin (search_vector)`);
    await q.query(`CREATE INDEX offer_title_trgm_idx ON offer USING gin (title gin_trgm_ops)`);
    await q.query(`CREATE INDEX offer_cost_sort_idx ON offer (total_usd DESC, id DESC)`);
    await q.query(
      `CREATE UNIQUE INDEX offer_external_ref_uq ON offer (party_id, external_ref) WHERE external_ref IS NOT NULL`,
    );

    // Plans: title and coordinating body, likewise language-neutral.
    await q.query(`
      ALTER TABLE national_action_plan ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english'::regconfig, title), 'A') ||
        setweight(to_tsvector('simple'::regconfig, title), 'A') ||
        setweight(to_tsvector('simple'::regconfig, coordinating_body), 'C')
      ) STORED`);
    await q.query(`ALTER TABLE national_action_plan ADD COLUMN external_ref varchar(100)`);
    await q.query(`ALTER TABLE national_action_plan ADD COLUMN external_hash char(64)`);
    await q.query(
      `CREATE INDEX national_action_plan_search_idx ON national_action_plan USING gin (search_vector)`,
    );
    await q.query(
      `CREATE INDEX national_action_plan_title_trgm_idx ON national_action_plan USING gin (title gin_trgm_ops)`,
    );
    await q.query(
      `CREATE UNIQUE INDEX national_action_plan_external_ref_uq ON national_action_plan (party_id, external_ref) WHERE external_ref IS NOT NULL`,
    );

    await q.query(`
      CREATE TABLE import_job (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        kind varchar(10) NOT NULL CHECK (kind IN ('needs','plans','offers')),
        format varchar(4) NOT NULL CHECK (format IN ('csv','json')),
        party_id uuid NOT NULL REFERENCES party(id),
        requested_by uuid REFERENCES app_user(id),
        principal jsonb NOT NULL,
        status varchar(12) NOT NULL DEFAULT 'queued'
          CHECK (status IN ('queued','running','completed','rejected','failed')),
        total integer NOT NULL DEFAULT 0,
        processed integer NOT NULL DEFAULT 0,
        created integer NOT NULL DEFAULT 0,
        updated integer NOT NULL DEFAULT 0,
        unchanged integer NOT NULL DEFAULT 0,
        errors jsonb NOT NULL DEFAULT '[]',
        content text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz
      )`);
    await q.query(`CREATE INDEX import_job_party_idx ON import_job (party_id, created_at DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE import_job`);
    await q.query(`DROP INDEX national_action_plan_external_ref_uq`);
    await q.query(`DROP INDEX national_action_plan_title_trgm_idx`);
    await q.query(`DROP INDEX national_action_plan_search_idx`);
    await q.query(`ALTER TABLE national_action_plan DROP COLUMN external_hash`);
    await q.query(`ALTER TABLE national_action_plan DROP COLUMN external_ref`);
    await q.query(`ALTER TABLE national_action_plan DROP COLUMN search_vector`);
    await q.query(`DROP INDEX offer_external_ref_uq`);
    await q.query(`DROP INDEX offer_cost_sort_idx`);
    await q.query(`DROP INDEX offer_title_trgm_idx`);
    await q.query(`DROP INDEX offer_search_idx`);
    await q.query(`ALTER TABLE offer DROP COLUMN external_hash`);
    await q.query(`ALTER TABLE offer DROP COLUMN external_ref`);
    await q.query(`ALTER TABLE offer DROP COLUMN search_vector`);
    await q.query(`DROP INDEX need_external_ref_uq`);
    await q.query(`DROP INDEX need_cost_sort_idx`);
    await q.query(`DROP INDEX need_priority_sort_idx`);
    await q.query(`DROP INDEX need_title_trgm_idx`);
    await q.query(`DROP INDEX need_search_idx`);
    await q.query(`ALTER TABLE need DROP COLUMN external_hash`);
    await q.query(`ALTER TABLE need DROP COLUMN external_ref`);
    await q.query(`ALTER TABLE need DROP COLUMN priority_weight`);
    await q.query(`ALTER TABLE need DROP COLUMN search_vector`);
    await q.query(`DROP EXTENSION IF EXISTS pg_trgm`);
  }
}
