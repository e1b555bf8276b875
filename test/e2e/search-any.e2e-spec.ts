import type { Client } from 'pg';
import { connectedTestDatabase } from '../utils/database';

/**
 * `search_any(table, query)`: whether any row matches a text query as typed, answered from a probe
 * of the table's first rows (TID range scan) or else from the GIN index. Whichever answers, the
 * result must be the plain EXISTS over the whole table.
 */
describe('search_any: does any row match as typed', () => {
  let db: Awaited<ReturnType<typeof connectedTestDatabase>>;
  let pg: Client;

  beforeAll(async () => {
    db = await connectedTestDatabase();
    pg = db.pg;
    await pg.query(`
      CREATE TABLE probe_t (id int PRIMARY KEY, search_vector tsvector NOT NULL);
      CREATE INDEX probe_t_search ON probe_t USING gin (search_vector);
      INSERT INTO probe_t
        SELECT g, to_tsvector('simple', 'common words of row ' || g ||
                                        CASE WHEN g = 1900 THEN ' lateword' ELSE '' END)
          FROM generate_series(1, 2000) g;
      ANALYZE probe_t;`);
  });
  afterAll(() => db.drop());

  const any = async (words: string): Promise<boolean> => {
    const { rows } = await pg.query<{ found: boolean; exists: boolean }>(
      `SELECT search_any('probe_t', search_parse($1)) AS found,
              EXISTS (SELECT 1 FROM probe_t WHERE search_vector @@ search_parse($1)) AS exists`,
      [words],
    );
    expect(rows[0].found).toBe(rows[0].exists);
    return rows[0].found;
  };

  it('finds a word of every row, a word only far past the probe, and not an absent word', async () => {
    expect(await any('common')).toBe(true);
    expect(await any('lateword')).toBe(true);
    expect(await any('absentword')).toBe(false);
    expect(await any('common lateword')).toBe(true);
    expect(await any('common absentword')).toBe(false);
  });

  it('still answers when the first pages hold no live rows', async () => {
    await pg.query(`DELETE FROM probe_t WHERE id <= 1500`);
    expect(await any('common')).toBe(true);
    expect(await any('lateword')).toBe(true);
    await pg.query(`VACUUM probe_t`);
    expect(await any('common')).toBe(true);
    expect(await any('row 1899')).toBe(true);
    expect(await any('row 1200')).toBe(false);
  });

  it('probes through a TID range scan, not a sequential scan with its bulk-read ring', async () => {
    const { rows } = await pg.query<{ def: string }>(
      `SELECT pg_get_functiondef('search_any(regclass, tsquery)'::regprocedure) AS def`,
    );
    expect(rows[0].def).toContain(`ctid >= ''(0,0)''::tid LIMIT 200`);
    await pg.query(`SET enable_seqscan = off`);
    const plan = await pg.query<{ 'QUERY PLAN': string }>(
      `EXPLAIN SELECT search_vector FROM probe_t WHERE ctid >= '(0,0)'::tid LIMIT 200`,
    );
    expect(plan.rows.map((r) => r['QUERY PLAN']).join('\n')).toContain('Tid Range Scan');
  });
});
