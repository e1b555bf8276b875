import { MigrationInterface, QueryRunner } from 'typeorm';

/** The searchable tables and the text columns whose words feed the correction dictionary. */
const SOURCES: [table: string, columns: string[]][] = [
  ['need', ['title', 'description']],
  ['offer', ['title', 'description']],
  ['national_action_plan', ['title', 'coordinating_body']],
];

/** The configurations a query is parsed in (src/modules/search/list-search.ts QUERY_CONFIGS). */
const CONFIGS = `ARRAY['english','french','spanish','russian','arabic','simple']::regconfig[]`;

/**
 * Search speed.
 *
 * 1. A dictionary of the distinct words of each searchable table (`search_word`, trigram GIN),
 *    kept by statement-level triggers (one INSERT … SELECT DISTINCT per statement, however many
 *    rows, so bulk imports stay fast). A misspelt or truncated query word is corrected to its
 *    nearest dictionary words (a few thousand rows, not the whole table), and the corrected
 *    words go through the ordinary full-text search — the approach of the PostgreSQL manual
 *    (pg_trgm, "Text Search Integration"). Words are only ever added: a word whose last record
 *    was edited away stays a harmless candidate that matches nothing.
 * 2. `search_tsquery(table, q)`: the query the list runs, decided in one round trip — the
 *    query parsed in every configuration when any record of the table matches it, else the
 *    corrected query, else NULL (nothing matches). The trigram threshold is set on the function
 *    itself, so no transaction is needed to scope it.
 * 3. `json_ms(timestamptz)`, for the JSON the hot read paths build in PostgreSQL.
 */
export class SearchSpeed1764300800000 implements MigrationInterface {
  name = 'SearchSpeed1764300800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE search_word (
        source varchar(40) NOT NULL,
        word text NOT NULL,
        PRIMARY KEY (source, word)
      )`);
    await q.query(`CREATE INDEX search_word_trgm_idx ON search_word USING gin (word gin_trgm_ops)`);

    // The words worth correcting to: 3 to 40 characters, no digits (numbers are not misspelt).
    await q.query(`
      CREATE FUNCTION search_words_of(txt text) RETURNS SETOF text
      LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT w.lexeme FROM unnest(to_tsvector('simple'::regconfig, coalesce(txt, ''))) w
         WHERE char_length(w.lexeme) BETWEEN 3 AND 40 AND w.lexeme !~ '[0-9]'
      $$`);

    // TG_ARGV: the text columns. New rows of an INSERT; rows whose text changed on an UPDATE.
    await q.query(`
      CREATE FUNCTION search_words_collect() RETURNS trigger
      LANGUAGE plpgsql AS $$
      DECLARE
        cols text := '';
        old_cols text := '';
        i int;
      BEGIN
        FOR i IN 0 .. TG_NARGS - 1 LOOP
          cols := cols || format(', t.%I', TG_ARGV[i]);
          old_cols := old_cols || format(', o.%I', TG_ARGV[i]);
        END LOOP;
        cols := substr(cols, 3);
        old_cols := substr(old_cols, 3);
        IF TG_OP = 'INSERT' THEN
          EXECUTE format(
            'INSERT INTO search_word (source, word)
             SELECT DISTINCT %L, w FROM new_rows t, search_words_of(concat_ws('' '', %s)) w
             ON CONFLICT DO NOTHING', TG_TABLE_NAME, cols);
        ELSE
          EXECUTE format(
            'INSERT INTO search_word (source, word)
             SELECT DISTINCT %L, w FROM new_rows t
               JOIN old_rows o ON o.id = t.id AND (%s) IS DISTINCT FROM (%s),
               search_words_of(concat_ws('' '', %s)) w
             ON CONFLICT DO NOTHING', TG_TABLE_NAME, 'ROW(' || cols || ')', 'ROW(' || old_cols || ')', cols);
        END IF;
        RETURN NULL;
      END
      $$`);

    for (const [table, columns] of SOURCES) {
      const args = columns.map((c) => `'${c}'`).join(', ');
      await q.query(`
        CREATE TRIGGER ${table}_search_words_ins AFTER INSERT ON ${table}
        REFERENCING NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION search_words_collect(${args})`);
      await q.query(`
        CREATE TRIGGER ${table}_search_words_upd AFTER UPDATE ON ${table}
        REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows
        FOR EACH STATEMENT EXECUTE FUNCTION search_words_collect(${args})`);
      await q.query(`
        INSERT INTO search_word (source, word)
        SELECT DISTINCT '${table}', w FROM ${table} t,
          search_words_of(concat_ws(' ', ${columns.map((c) => `t.${c}`).join(', ')})) w
        ON CONFLICT DO NOTHING`);
    }

    // OR and AND over many tsqueries (the functions behind the || and && operators).
    await q.query(
      `CREATE AGGREGATE search_tsquery_or(tsquery) (SFUNC = tsquery_or, STYPE = tsquery)`,
    );
    await q.query(
      `CREATE AGGREGATE search_tsquery_and(tsquery) (SFUNC = tsquery_and, STYPE = tsquery)`,
    );

    // A query in every configuration, OR-ed: a French word is stemmed as French, and so on.
    // DISTINCT: the configurations often agree, and each branch costs a lookup per row.
    await q.query(`
      CREATE FUNCTION search_parse(q text) RETURNS tsquery
      LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT search_tsquery_or(DISTINCT websearch_to_tsquery(c, q)) FROM unnest(${CONFIGS}) c
      $$`);

    // Each query word of 3+ characters → its (up to) 5 nearest dictionary words by word
    // similarity (so a truncated word finds its completions, a misspelt one its spelling),
    // within 0.1 of the best one;
    // shorter words are kept as typed. Per configuration: AND over the words of OR over each
    // word's candidates; then OR over the configurations. NULL when a word has no candidate.
    await q.query(`
      CREATE FUNCTION search_correct(src text, q text) RETURNS tsquery
      LANGUAGE sql STABLE
      SET pg_trgm.word_similarity_threshold = 0.45 AS $$
        WITH words AS (
          SELECT DISTINCT w.lexeme FROM unnest(to_tsvector('simple'::regconfig, q)) w),
        candidates AS (
          SELECT w.lexeme, d.word FROM words w CROSS JOIN LATERAL (
            SELECT r.word FROM (
              SELECT s.word, word_similarity(w.lexeme, s.word) AS ws,
                     max(word_similarity(w.lexeme, s.word)) OVER () AS best
                FROM search_word s
               WHERE char_length(w.lexeme) >= 3 AND s.source = src AND w.lexeme <% s.word
               ORDER BY ws DESC, similarity(w.lexeme, s.word) DESC, s.word
               LIMIT 5) r
             WHERE r.ws >= r.best - 0.1) d
          UNION ALL
          SELECT w.lexeme, w.lexeme FROM words w WHERE char_length(w.lexeme) < 3)
        SELECT CASE
          WHEN NOT EXISTS (SELECT 1 FROM words) THEN NULL
          WHEN EXISTS (SELECT 1 FROM words w WHERE NOT EXISTS (
            SELECT 1 FROM candidates c WHERE c.lexeme = w.lexeme)) THEN NULL
          ELSE (
            SELECT search_tsquery_or(DISTINCT per_config) FROM (
              SELECT search_tsquery_and(per_word) AS per_config FROM (
                SELECT cfg, search_tsquery_or(DISTINCT phraseto_tsquery(cfg, c.word)) AS per_word
                  FROM candidates c, unnest(${CONFIGS}) cfg
                 GROUP BY cfg, c.lexeme) x
               GROUP BY cfg) y)
        END
      $$`);

    // Whether any record matches: first among the first rows of the table (a frequent word is
    // found at once; an index scan would collect every match first), then through the GIN index
    // (cheap for a rare or absent word, where the planner would otherwise scan the table).
    // No JIT: the disabled sequential scan's nominal cost would otherwise trigger compilation.
    await q.query(`
      CREATE FUNCTION search_any(tbl regclass, query tsquery) RETURNS boolean
      LANGUAGE plpgsql STABLE
      SET enable_seqscan = off SET jit = off AS $$
      DECLARE
        found boolean;
      BEGIN
        EXECUTE format('SELECT EXISTS (SELECT 1 FROM (SELECT search_vector FROM %s LIMIT 500) s
                         WHERE s.search_vector @@ $1)', tbl) INTO found USING query;
        IF NOT found THEN
          EXECUTE format('SELECT EXISTS (SELECT 1 FROM %s WHERE search_vector @@ $1)', tbl)
            INTO found USING query;
        END IF;
        RETURN found;
      END
      $$`);

    await q.query(`
      CREATE FUNCTION search_tsquery(tbl regclass, q text) RETURNS tsquery
      LANGUAGE plpgsql STABLE AS $$
      DECLARE
        parsed tsquery := search_parse(q);
      BEGIN
        IF search_any(tbl, parsed) THEN RETURN parsed; END IF;
        RETURN search_correct((SELECT relname FROM pg_class WHERE oid = tbl), q);
      END
      $$`);

    // A timestamp as JSON.stringify writes a JS Date (UTC, milliseconds, Z): the list and read
    // paths build their JSON in PostgreSQL and must write exactly what the DTO mapping wrote.
    await q.query(`
      CREATE FUNCTION json_ms(ts timestamptz) RETURNS text
      LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
      $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION json_ms(timestamptz)`);
    await q.query(`DROP FUNCTION search_tsquery(regclass, text)`);
    await q.query(`DROP FUNCTION search_any(regclass, tsquery)`);
    await q.query(`DROP FUNCTION search_correct(text, text)`);
    await q.query(`DROP FUNCTION search_parse(text)`);
    await q.query(`DROP AGGREGATE search_tsquery_and(tsquery)`);
    await q.query(`DROP AGGREGATE search_tsquery_or(tsquery)`);
    for (const [table] of SOURCES) {
      await q.query(`DROP TRIGGER ${table}_search_words_upd ON ${table}`);
      await q.query(`DROP TRIGGER ${table}_search_words_ins ON ${table}`);
    }
    await q.query(`DROP FUNCTION search_words_collect()`);
    await q.query(`DROP FUNCTION search_words_of(text)`);
    await q.query(`DROP TABLE search_word`);
  }
}
