import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The sweep that notifies new suggestions reads only the recent ones, through the primary key.
 *
 * Before, its query (suggestions of the last two days at or above the threshold, not notified
 * yet) filtered the whole of `match_suggestion` on `created_at`, which no index covers: a
 * parallel sequential scan of the table every 30 seconds, whatever it held. After a full
 * re-match at the benchmark's scale (880,000 rows, 770 MB) that is 0.7–0.8 s in three
 * processes per sweep, for good, and inside the re-match while it runs.
 *
 * Now every new suggestion's id is time-ordered (UUID version 7: the first 48 bits are the
 * Unix time in milliseconds, then the version, 74 random bits and the variant). The rows a full
 * re-match copies already had such ids (minted by the worker with the `uuid` package); the rows
 * the upsert inserts get them from the column's default, `uuid_v7()`. `new_suggestion_ids`
 * walks the primary key from the first id of two days ago, in id order (first stored, first
 * notified), and stops at the page it returns. Its plan is fixed (no sequential or bitmap scan,
 * no JIT), since a table a re-match has just filled has no statistics: with PostgreSQL's default
 * estimate of a range (0.5 % of the rows) it chose a bitmap scan of the whole range, a sort and
 * a nested loop over every notification (76 s on the benchmark's table). The
 * notification check is a probe of `notification_event_dedupe_key` per row (`OFFSET 0` keeps it
 * a subquery instead of a join over every notification).
 *
 * Rows stored before this migration keep their random (version 4) ids; almost none falls in the
 * window, so they are not notified again (they were, or were older than two days, when the
 * previous sweep saw them).
 */
export class NewSuggestionsByTime1764302000000 implements MigrationInterface {
  name = 'NewSuggestionsByTime1764302000000';

  async up(q: QueryRunner): Promise<void> {
    // A version-4 uuid with its first 48 bits replaced by the time and its version made 7.
    await q.query(`
      CREATE FUNCTION uuid_v7() RETURNS uuid
      LANGUAGE sql VOLATILE PARALLEL SAFE AS $$
        SELECT encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid())
          PLACING substring(int8send((extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3)
          FROM 1 FOR 6), 52, 1), 53, 1), 'hex')::uuid
      $$`);
    // The smallest version-7 id of ts's millisecond: every id minted from then on sorts after it.
    await q.query(`
      CREATE FUNCTION uuid_v7_floor(ts timestamptz) RETURNS uuid
      LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT encode(overlay('\\x00000000000070008000000000000000'::bytea
          PLACING substring(int8send((extract(epoch FROM ts) * 1000)::bigint) FROM 3)
          FROM 1 FOR 6), 'hex')::uuid
      $$`);
    await q.query(`ALTER TABLE match_suggestion ALTER COLUMN id SET DEFAULT uuid_v7()`);
    // $1: the score threshold, $2: the most ids returned. The upper bound leaves out the random
    // ids of older rows (a version-4 id falls in a three-day window once in a million).
    await q.query(`
      CREATE FUNCTION new_suggestion_ids(numeric, integer) RETURNS SETOF uuid
      LANGUAGE sql STABLE
      SET enable_seqscan = off SET enable_bitmapscan = off SET jit = off AS $$
        SELECT ms.id FROM match_suggestion ms
         WHERE ms.id >= uuid_v7_floor(now() - interval '2 days')
           AND ms.id < uuid_v7_floor(now() + interval '1 day')
           AND ms.created_at > now() - interval '2 days'
           AND ms.status = 'suggested' AND ms.eligible AND ms.score >= $1
           AND NOT EXISTS (SELECT 1 FROM notification_event e
                            WHERE e.dedupe_key = 'suggestion:' || ms.id OFFSET 0)
         ORDER BY ms.id LIMIT $2
      $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION new_suggestion_ids(numeric, integer)`);
    await q.query(`ALTER TABLE match_suggestion ALTER COLUMN id SET DEFAULT gen_random_uuid()`);
    await q.query(`DROP FUNCTION uuid_v7_floor(timestamptz)`);
    await q.query(`DROP FUNCTION uuid_v7()`);
  }
}
