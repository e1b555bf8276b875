import { DataSource } from 'typeorm';
import { copyLines, csvBool, csvText } from '../../src/common/pg-copy';
import { typeormOptions } from '../../src/database/typeorm-options';
import { createTestDatabase } from '../utils/database';

/**
 * `copyLines`: rows copied with COPY (FORMAT csv) inside the caller's transaction must be stored
 * exactly as given, commit and roll back with it, and a failed copy must leave the transaction
 * usable after a rollback to a savepoint (the matching service's fallback to its upsert).
 */
describe('COPY of rows in a transaction', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let ds: DataSource;
  const columns = ['id', 'label', 'amount', 'flag', 'tags', 'doc'];

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = new DataSource(typeormOptions({ url: db.url }));
    await ds.initialize();
    await ds.query(`
      CREATE TABLE copy_t (
        id int PRIMARY KEY, label text NOT NULL, amount numeric(5,4) NOT NULL,
        flag boolean NOT NULL, tags text[] NOT NULL, doc jsonb NOT NULL,
        added_at timestamptz NOT NULL DEFAULT now())`);
  });
  afterAll(async () => {
    await ds.destroy();
    await db.drop();
  });
  beforeEach(() => ds.query(`TRUNCATE copy_t`));

  /** A row's CSV line as the matching service builds one: a template, text through csvText. */
  const line = (
    id: number,
    label: string,
    amount: number,
    flag: boolean,
    tags: string,
    doc: string,
  ) => `${id},${csvText(label)},${amount},${csvBool(flag)},${csvText(tags)},${csvText(doc)}\n`;

  const hostile = [
    'plain',
    '',
    'NULL',
    '\\N',
    'a "quoted", comma, word',
    'back\\slash \\" both',
    'line\nbreak\r\nand\ttab',
    '"',
    ',',
    'Côte d’Ivoire — 中文 — العربية — Русский — 🙂',
  ];

  it('stores text, numbers, booleans, arrays and JSON exactly as given', async () => {
    const lines = hostile.map((label, i) =>
      line(
        i + 1,
        label,
        i % 2 ? 0.8125 : 1,
        i % 3 === 0,
        i % 2 ? '{need_open,offer_active}' : '{}',
        JSON.stringify({ text: 0.25, label, nested: { n: i } }),
      ),
    );
    const copied = await ds.transaction((m) => copyLines(m, 'copy_t', columns, lines));
    expect(copied).toBe(hostile.length);
    const stored: {
      id: number;
      label: string;
      amount: string;
      flag: boolean;
      tags: string[];
      doc: { label: string; nested: { n: number } };
      added: boolean;
    }[] = await ds.query(
      `SELECT id, label, amount::text AS amount, flag, tags, doc, added_at IS NOT NULL AS added
         FROM copy_t ORDER BY id`,
    );
    expect(stored).toEqual(
      hostile.map((label, i) => ({
        id: i + 1,
        label,
        amount: i % 2 ? '0.8125' : '1.0000',
        flag: i % 3 === 0,
        tags: i % 2 ? ['need_open', 'offer_active'] : [],
        doc: { text: 0.25, label, nested: { n: i } },
        added: true,
      })),
    );
  });

  it('commits and rolls back with the transaction', async () => {
    await expect(
      ds.transaction(async (m) => {
        await copyLines(m, 'copy_t', columns, [line(1, 'gone', 0.5, true, '{}', '{}')]);
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(await ds.query(`SELECT count(*)::int AS n FROM copy_t`)).toEqual([{ n: 0 }]);
  });

  it('fails a duplicate key with 23505, and the transaction goes on after a savepoint', async () => {
    await ds.query(`INSERT INTO copy_t (id, label, amount, flag, tags, doc)
                    VALUES (2, 'there first', 0.1, false, '{}', '{}')`);
    await ds.transaction(async (m) => {
      await m.query(`SAVEPOINT s`);
      const error = await copyLines(m, 'copy_t', columns, [
        line(1, 'one', 0.5, true, '{}', '{}'),
        line(2, 'two', 0.5, true, '{}', '{}'),
      ]).catch((e: { code?: string }) => e);
      expect((error as { code?: string }).code).toBe('23505');
      await m.query(`ROLLBACK TO SAVEPOINT s`);
      await copyLines(m, 'copy_t', columns, [line(3, 'three', 0.5, true, '{}', '{}')]);
    });
    expect(await ds.query(`SELECT id, label FROM copy_t ORDER BY id`)).toEqual([
      { id: 2, label: 'there first' },
      { id: 3, label: 'three' },
    ]);
  });

  it('copies more rows than fit one message, and lines longer than a message', async () => {
    const long = 'é'.repeat(400_000); // 800 KB of UTF-8: at most one such line per megabyte
    const lines = Array.from({ length: 5_000 }, (_, i) =>
      line(i + 1, i % 1_000 === 7 ? long : `row ${i}`, 0.5, true, '{}', '{}'),
    );
    expect(await ds.transaction((m) => copyLines(m, 'copy_t', columns, lines))).toBe(5_000);
    expect(
      await ds.query(
        `SELECT count(*)::int AS n, sum(length(label))::bigint::text AS chars FROM copy_t`,
      ),
    ).toEqual([
      {
        n: 5_000,
        chars: String(
          lines.reduce((sum, _, i) => sum + (i % 1_000 === 7 ? long.length : `row ${i}`.length), 0),
        ),
      },
    ]);
  });

  it('refuses to run outside a transaction', async () => {
    await expect(copyLines(ds.manager, 'copy_t', columns, [])).rejects.toThrow(/transaction/);
  });
});
