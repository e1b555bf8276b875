import { MigrationInterface, QueryRunner } from 'typeorm';

/** The trigger function of migration NeedApiJson, as it was. */
const SET_UTF8 = `
  CREATE OR REPLACE FUNCTION need_api_json_set() RETURNS trigger
  LANGUAGE plpgsql AS $$
  BEGIN
    NEW.api_json := need_api_json(NEW);
    RETURN NEW;
  END
  $$`;

/**
 * The stored need JSON (`need.api_json`, migration NeedApiJson) is written in ASCII: every
 * character above U+007F is escaped as JSON allows (`\u00e9`; a character beyond the Basic
 * Multilingual Plane as its UTF-16 surrogate pair, `\ud83d\ude00`). The JSON means exactly the
 * same: every parser reads the same strings.
 *
 * Why: a list page is about 50 KB of this text, which Node decodes from UTF-8 when the driver
 * reads the rows and encodes back to UTF-8 when the response is written. For the titles and
 * descriptions in Arabic, Chinese or Russian that States write, V8 holds the page as a two-byte
 * string and both conversions take its slow path. On this machine, reading 50 of the
 * benchmark's needs and encoding the page with its ETag took about 540 µs of CPU with the UTF-8
 * text and 290 µs with the same text in ASCII, which is 8 % longer (docs/API-SPEED.md, fifth
 * pass). Escaping costs about 60 µs once per write.
 */
export class NeedApiJsonAscii1764301500000 implements MigrationInterface {
  name = 'NeedApiJsonAscii1764301500000';

  async up(q: QueryRunner): Promise<void> {
    // Runs of ASCII are kept whole; each other character becomes its escape. Text without any
    // non-ASCII character (most English needs) is returned as it is, after one regex test.
    await q.query(`
      CREATE FUNCTION json_ascii(t text) RETURNS text
      LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
        SELECT CASE WHEN t !~ '[^\\x01-\\x7F]' THEN t ELSE (
          SELECT string_agg(
            CASE WHEN ascii(r.m[1]) < 128 THEN r.m[1]
                 WHEN ascii(r.m[1]) < 65536 THEN '\\u' || lpad(to_hex(ascii(r.m[1])), 4, '0')
                 ELSE '\\u' || to_hex(55296 + ((ascii(r.m[1]) - 65536) >> 10))
                   || '\\u' || to_hex(56320 + ((ascii(r.m[1]) - 65536) & 1023))
            END, '' ORDER BY r.i)
          FROM regexp_matches(t, '[\\x01-\\x7F]+|[^\\x01-\\x7F]', 'g') WITH ORDINALITY AS r(m, i))
        END
      $$`);
    await q.query(`
      CREATE OR REPLACE FUNCTION need_api_json_set() RETURNS trigger
      LANGUAGE plpgsql AS $$
      BEGIN
        NEW.api_json := json_ascii(need_api_json(NEW));
        RETURN NEW;
      END
      $$`);
    // Writing the column fires the trigger, which recomputes it.
    await q.query(`UPDATE need SET api_json = NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(SET_UTF8);
    await q.query(`UPDATE need SET api_json = NULL`);
    await q.query(`DROP FUNCTION json_ascii(text)`);
  }
}
