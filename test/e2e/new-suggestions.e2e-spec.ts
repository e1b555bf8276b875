import type { Client } from 'pg';
import { connectedTestDatabase } from '../utils/database';

/**
 * The sweep's query of new suggestions (`new_suggestion_ids`, migration NewSuggestionsByTime):
 * which rows it returns, and that it reads them through the primary key (time-ordered ids) from
 * two days ago, stopping at its page, rather than the whole table.
 */
describe('new_suggestion_ids: the suggestions the sweep notifies', () => {
  let db: Awaited<ReturnType<typeof connectedTestDatabase>>;
  let pg: Client;

  beforeAll(async () => {
    db = await connectedTestDatabase();
    pg = db.pg;
    // Rows of their own, without needs and offers: this session skips the foreign-key triggers.
    await pg.query(`SET session_replication_role = replica`);
  });
  afterAll(() => db.drop());

  /** Inserts a suggestion (id from the column's default unless given); returns its id. */
  const insert = async (
    row: {
      id?: string;
      score?: number;
      status?: string;
      eligible?: boolean;
      createdAt?: string;
    } = {},
  ): Promise<string> => {
    // A millisecond apart: ids minted in the same millisecond are ordered at random.
    await new Promise((resolve) => setTimeout(resolve, 3));
    const { rows } = await pg.query<{ id: string }>(
      `INSERT INTO match_suggestion (id, need_id, offer_id, need_party_id, offer_party_id, score,
              components, rules_passed, explanation, status, eligible, need_version, offer_version,
              created_at)
       VALUES (coalesce($1::uuid, uuid_v7()), gen_random_uuid(), gen_random_uuid(),
               gen_random_uuid(), gen_random_uuid(), $2, '{0,0,0,0,0,0,0,0}', 127, 'test', $3, $4, 1, 1,
               coalesce($5::timestamptz, now()))
       RETURNING id`,
      [
        row.id ?? null,
        row.score ?? 0.8,
        row.status ?? 'suggested',
        row.eligible ?? true,
        row.createdAt ?? null,
      ],
    );
    return rows[0].id;
  };
  const sweep = async (minScore = 0.5, limit = 200): Promise<string[]> =>
    (
      await pg.query<{ id: string }>(`SELECT id FROM new_suggestion_ids($1, $2) AS id`, [
        minScore,
        limit,
      ])
    ).rows.map((r) => r.id);
  /** The first version-7 id of a time (what an id minted then sorts after). */
  const floorOf = async (at: string): Promise<string> =>
    (await pg.query<{ id: string }>(`SELECT uuid_v7_floor($1) AS id`, [at])).rows[0].id;

  it('gives a suggestion inserted without an id a version-7 id of the time it was stored', async () => {
    const before = Date.now();
    const { rows } = await pg.query<{ id: string }>(
      `INSERT INTO match_suggestion (need_id, offer_id, need_party_id, offer_party_id, score,
              components, rules_passed, explanation, need_version, offer_version)
       VALUES (gen_random_uuid(), gen_random_uuid(), gen_random_uuid(), gen_random_uuid(), 0.1,
               '{0,0,0,0,0,0,0,0}', 127, 'test', 1, 1)
       RETURNING id`,
    );
    const id = rows[0].id;
    expect(id[14]).toBe('7');
    expect('89ab').toContain(id[19]);
    const ms = parseInt(id.replace(/-/g, '').slice(0, 12), 16);
    expect(ms).toBeGreaterThanOrEqual(before - 1000);
    expect(ms).toBeLessThanOrEqual(Date.now() + 1000);
    // The floor of a time sorts before every id minted from then on, after those minted before.
    expect(id > (await floorOf(new Date(before - 1000).toISOString()))).toBe(true);
    expect(id < (await floorOf(new Date(Date.now() + 1000).toISOString()))).toBe(true);
    await pg.query(`DELETE FROM match_suggestion`);
  });

  it('returns the recent, eligible suggestions at or above the threshold not notified yet, first stored first', async () => {
    const first = await insert();
    const low = await insert({ score: 0.3 });
    const proposed = await insert({ status: 'proposed' });
    const ineligible = await insert({ eligible: false });
    const notified = await insert();
    await pg.query(
      `INSERT INTO notification_event (dedupe_key, type, entity_type, entity_id)
       VALUES ('suggestion:' || $1, 'match.suggested', 'match', $1::uuid)`,
      [notified],
    );
    const threeDaysAgo = new Date(Date.now() - 3 * 86_400_000).toISOString();
    const old = await insert({
      id: (await floorOf(threeDaysAgo)).replace(/0{12}$/, '000000000001'),
      createdAt: threeDaysAgo,
    });
    const second = await insert({ score: 0.5 });
    const third = await insert({ score: 1 });

    expect(await sweep()).toEqual([first, second, third]);
    expect(await sweep(0.5, 2)).toEqual([first, second]);
    expect(await sweep(0.9)).toEqual([third]);
    expect(await sweep(0.2)).toEqual([first, low, second, third]);
    for (const id of [proposed, ineligible, notified, old])
      expect(await sweep(0)).not.toContain(id);
    await pg.query(`DELETE FROM match_suggestion`);
  });

  it('walks the primary key from two days ago and stops at its page, even without statistics', async () => {
    // 20,000 recent rows, the table never analysed (as after a full re-match), plus
    // 5,000 notifications so that the check has rows to skip.
    await pg.query(`
      INSERT INTO match_suggestion (need_id, offer_id, need_party_id, offer_party_id, score,
             components, rules_passed, explanation, need_version, offer_version)
      SELECT gen_random_uuid(), gen_random_uuid(), gen_random_uuid(), gen_random_uuid(), 0.8,
             '{0,0,0,0,0,0,0,0}', 127, 'test', 1, 1
        FROM generate_series(1, 20000)`);
    await pg.query(`
      INSERT INTO notification_event (dedupe_key, type, entity_type, entity_id)
      SELECT 'suggestion:' || id, 'match.suggested', 'match', id
        FROM match_suggestion ORDER BY id LIMIT 5000`);
    const { rows: fn } = await pg.query<{ src: string; config: string[] | null }>(
      `SELECT prosrc AS src, proconfig AS config FROM pg_proc WHERE proname = 'new_suggestion_ids'`,
    );
    await pg.query('BEGIN');
    try {
      // The function's own statement, under the function's own settings.
      for (const setting of fn[0].config ?? []) {
        const [name, value] = setting.split('=');
        await pg.query(`SELECT set_config($1, $2, true)`, [name, value]);
      }
      await pg.query(`PREPARE new_ids(numeric, integer) AS ${fn[0].src}`);
      const { rows } = await pg.query<{ 'QUERY PLAN': unknown }>(
        `EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE new_ids(0.5, 200)`,
      );
      const plan = JSON.stringify(rows[0]['QUERY PLAN']);
      expect(plan).toContain('"Index Name":"match_suggestion_pkey"');
      expect(plan).not.toContain('Seq Scan');
      expect(plan).not.toContain('Bitmap');
      expect(plan).not.toContain('"Node Type":"Sort"');
      // The notification check probes the key per row; never a copy of every notification.
      expect(plan).not.toMatch(/"Node Type":"(Materialize|Hash)"/);
      // The walk read the 5,000 notified rows and the page, not the 20,000.
      const walked = (function find(node: Record<string, unknown>): number {
        if (node['Relation Name'] === 'match_suggestion')
          return (
            (node['Actual Rows'] as number) + ((node['Rows Removed by Filter'] as number) ?? 0)
          );
        for (const child of (node.Plans as Record<string, unknown>[] | undefined) ?? []) {
          const n = find(child);
          if (n >= 0) return n;
        }
        return -1;
      })((rows[0]['QUERY PLAN'] as { Plan: Record<string, unknown> }[])[0].Plan);
      expect(walked).toBe(5200);
    } finally {
      await pg.query('ROLLBACK');
    }
    expect(await sweep(0.5, 3)).toHaveLength(3);
  });
});
