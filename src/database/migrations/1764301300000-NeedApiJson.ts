import { MigrationInterface, QueryRunner } from 'typeorm';

/** The columns `need_api_json` reads, and the column it writes. */
const JSON_COLUMNS = [
  'id',
  'party_id',
  'country_code',
  'title',
  'description',
  'language',
  'control_areas',
  'assistance_types',
  'frameworks',
  'priority',
  'rank',
  'estimated_amount',
  'estimated_currency',
  'estimated_usd',
  'usd_rate',
  'rate_date',
  'covered_usd',
  'earliest_start',
  'needed_by',
  'visibility',
  'plan_item_id',
  'location',
  'implementer',
  'status',
  'status_note',
  'filed_on_behalf',
  'consent_status',
  'consent_deadline',
  'created_by',
  'submitted_at',
  'published_at',
  'created_at',
  'updated_at',
  'version',
  'api_json',
];

/**
 * Each need keeps its API representation (`NeedDto` as JSON text) in `need.api_json`, written
 * by a trigger from the row itself whenever the row is inserted or updated — by the API,
 * an import, the matching engine or plain SQL — so it can never disagree with the row.
 * `GET /needs` and `GET /needs/:id` pass it through instead of building it per request: building
 * it took about 1.7 ms of the 2.2 ms PostgreSQL spent on a 50-row page (`to_char` of five
 * timestamps and the JSON of every column, per row read), against about 30 µs once per write.
 *
 * The expression is `toNeedDto` (src/modules/needs/needs.service.ts) written in SQL, key for key
 * and value for value: numbers as numbers, dates as `YYYY-MM-DD`, timestamps as JSON.stringify
 * writes a Date (`json_ms`). `test/e2e/need-json.e2e-spec.ts` checks the two agree. A change to
 * `NeedDto` needs a migration that redefines `need_api_json(need)` and recomputes the column.
 */
export class NeedApiJson1764301300000 implements MigrationInterface {
  name = 'NeedApiJson1764301300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE need ADD COLUMN api_json text`);
    await q.query(`
      CREATE FUNCTION need_api_json(n need) RETURNS text
      LANGUAGE sql STABLE PARALLEL SAFE AS $$
        SELECT CAST(json_build_object(
          'id', n.id, 'partyId', n.party_id, 'state', n.country_code, 'title', n.title,
          'description', n.description, 'language', n.language, 'controlAreas', n.control_areas,
          'assistanceTypes', n.assistance_types, 'frameworks', n.frameworks,
          'priority', n.priority, 'rank', n.rank,
          'estimatedCost', json_build_object(
            'amount', CAST(n.estimated_amount AS double precision),
            'currency', n.estimated_currency),
          'estimatedCostUsd', CAST(n.estimated_usd AS double precision),
          'usdRate', CAST(n.usd_rate AS double precision),
          'rateDate', n.rate_date, 'coveredUsd', CAST(n.covered_usd AS double precision),
          'earliestStart', n.earliest_start, 'neededBy', n.needed_by,
          'visibility', n.visibility, 'planItemId', n.plan_item_id, 'location', n.location,
          'implementer', n.implementer, 'status', n.status, 'statusNote', n.status_note,
          'filedOnBehalf', n.filed_on_behalf, 'consentStatus', n.consent_status,
          'consentDeadline', json_ms(n.consent_deadline), 'createdBy', n.created_by,
          'submittedAt', json_ms(n.submitted_at), 'publishedAt', json_ms(n.published_at),
          'createdAt', json_ms(n.created_at), 'updatedAt', json_ms(n.updated_at),
          'version', n.version) AS text)
      $$`);
    await q.query(`
      CREATE FUNCTION need_api_json_set() RETURNS trigger
      LANGUAGE plpgsql AS $$
      BEGIN
        NEW.api_json := need_api_json(NEW);
        RETURN NEW;
      END
      $$`);
    // Last of the row triggers (they fire in name order), so it sees the row as stored. On
    // update, only when a column of the JSON (or the JSON itself) is written: an update of
    // `matched_version` alone, as the matching engine makes, cannot change it.
    await q.query(`
      CREATE TRIGGER zz_need_api_json BEFORE INSERT OR UPDATE OF ${JSON_COLUMNS.join(', ')}
      ON need FOR EACH ROW EXECUTE FUNCTION need_api_json_set()`);
    // Existing rows: writing the column fires the trigger, which computes it.
    await q.query(`UPDATE need SET api_json = NULL`);
    await q.query(`ALTER TABLE need ALTER COLUMN api_json SET NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER zz_need_api_json ON need`);
    await q.query(`DROP FUNCTION need_api_json_set()`);
    await q.query(`DROP FUNCTION need_api_json(need)`);
    await q.query(`ALTER TABLE need DROP COLUMN api_json`);
  }
}
