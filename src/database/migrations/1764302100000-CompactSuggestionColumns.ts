import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A suggestion's components and rules in compact columns (see
 * `src/modules/matching/suggestion-columns.ts`): `components` from a JSON object to a
 * `smallint[]` of the eight components in ten-thousandths, in the engine's order (areas, types,
 * budget, timing, language, priority, engagement, text), and `rules_passed` / `rules_failed`
 * from `text[]` to `smallint` bit masks (bit i for the engine's i-th rule: need_open,
 * offer_active, state_eligible, assistance_type_shared, windows_overlap, above_offer_minimum,
 * envelope_left). A third of each row, and most of what PostgreSQL parsed to store it.
 *
 * Stored rows are converted in place (a component missing from an object becomes 0). The
 * conversion functions exist only during the migration. The two lists are copied from the
 * engine (`COMPONENTS`, `RULES`), not imported: a migration must convert as it did when it was
 * written, whatever the engine's lists become.
 */
const COMPONENTS = [
  'areas',
  'types',
  'budget',
  'timing',
  'language',
  'priority',
  'engagement',
  'text',
];
const RULES = [
  'need_open',
  'offer_active',
  'state_eligible',
  'assistance_type_shared',
  'windows_overlap',
  'above_offer_minimum',
  'envelope_left',
];
const list = (xs: string[]) => `ARRAY[${xs.map((x) => `'${x}'`).join(', ')}]::text[]`;

export class CompactSuggestionColumns1764302100000 implements MigrationInterface {
  name = 'CompactSuggestionColumns1764302100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION pg_temp.components_array(c jsonb) RETURNS smallint[] LANGUAGE sql IMMUTABLE AS $$
        SELECT array_agg(round(coalesce((c ->> k)::numeric, 0) * 10000)::smallint ORDER BY i)
          FROM unnest(${list(COMPONENTS)}) WITH ORDINALITY AS t(k, i) $$`);
    await q.query(`
      CREATE FUNCTION pg_temp.rules_mask(rules text[]) RETURNS smallint LANGUAGE sql IMMUTABLE AS $$
        SELECT coalesce(sum(1 << (i - 1)::int), 0)::smallint
          FROM unnest(${list(RULES)}) WITH ORDINALITY AS t(r, i) WHERE r = ANY(rules) $$`);
    await q.query(`ALTER TABLE match_suggestion ALTER COLUMN rules_failed DROP DEFAULT`);
    await q.query(`
      ALTER TABLE match_suggestion
        ALTER COLUMN components TYPE smallint[] USING pg_temp.components_array(components),
        ALTER COLUMN rules_passed TYPE smallint USING pg_temp.rules_mask(rules_passed),
        ALTER COLUMN rules_failed TYPE smallint USING pg_temp.rules_mask(rules_failed)`);
    await q.query(`
      ALTER TABLE match_suggestion
        ALTER COLUMN rules_failed SET DEFAULT 0,
        ADD CONSTRAINT match_suggestion_components_check
          CHECK (cardinality(components) = ${COMPONENTS.length}),
        ADD CONSTRAINT match_suggestion_rules_check
          CHECK (rules_passed >= 0 AND rules_passed < ${1 << RULES.length}
             AND rules_failed >= 0 AND rules_failed < ${1 << RULES.length})`);
    await q.query(`DROP FUNCTION pg_temp.components_array(jsonb)`);
    await q.query(`DROP FUNCTION pg_temp.rules_mask(text[])`);
    await q.query(`
      COMMENT ON COLUMN match_suggestion.components IS
        'Components in ten-thousandths: ${COMPONENTS.join(', ')}'`);
    await q.query(`
      COMMENT ON COLUMN match_suggestion.rules_passed IS
        'Bit i set: the i-th rule passed (${RULES.join(', ')})'`);
    await q.query(`
      COMMENT ON COLUMN match_suggestion.rules_failed IS
        'Bit i set: the i-th rule failed (${RULES.join(', ')})'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION pg_temp.components_object(c smallint[]) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
        SELECT jsonb_object_agg(k, (c[i] / 10000.0)::float8)
          FROM unnest(${list(COMPONENTS)}) WITH ORDINALITY AS t(k, i) $$`);
    await q.query(`
      CREATE FUNCTION pg_temp.rules_list(mask smallint) RETURNS text[] LANGUAGE sql IMMUTABLE AS $$
        SELECT coalesce(array_agg(r ORDER BY i), '{}')
          FROM unnest(${list(RULES)}) WITH ORDINALITY AS t(r, i) WHERE mask & (1 << (i - 1)::int) <> 0 $$`);
    await q.query(`
      ALTER TABLE match_suggestion
        DROP CONSTRAINT match_suggestion_components_check,
        DROP CONSTRAINT match_suggestion_rules_check,
        ALTER COLUMN rules_failed DROP DEFAULT`);
    await q.query(`
      ALTER TABLE match_suggestion
        ALTER COLUMN components TYPE jsonb USING pg_temp.components_object(components),
        ALTER COLUMN rules_passed TYPE text[] USING pg_temp.rules_list(rules_passed),
        ALTER COLUMN rules_failed TYPE text[] USING pg_temp.rules_list(rules_failed)`);
    await q.query(`ALTER TABLE match_suggestion ALTER COLUMN rules_failed SET DEFAULT '{}'`);
    await q.query(`DROP FUNCTION pg_temp.components_object(smallint[])`);
    await q.query(`DROP FUNCTION pg_temp.rules_list(smallint)`);
    await q.query(`COMMENT ON COLUMN match_suggestion.components IS NULL`);
    await q.query(`COMMENT ON COLUMN match_suggestion.rules_passed IS NULL`);
    await q.query(`COMMENT ON COLUMN match_suggestion.rules_failed IS NULL`);
  }
}
