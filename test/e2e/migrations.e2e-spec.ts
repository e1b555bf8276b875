import { DataSource } from 'typeorm';
import { typeormOptions } from '../../src/database/typeorm-options';
import { createEmptyDatabase, dropDatabase } from '../utils/database';
import { runCommand } from '../utils/run-node';

async function userTables(ds: DataSource): Promise<string[]> {
  const rows: { table_name: string }[] = await ds.query(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`,
  );
  return rows.map((r) => r.table_name);
}

describe('migrations', () => {
  let db: { name: string; url: string };
  let ds: DataSource;

  beforeAll(async () => {
    db = await createEmptyDatabase();
    ds = new DataSource(typeormOptions({ url: db.url }));
    await ds.initialize();
  });
  afterAll(async () => {
    await ds?.destroy();
    await dropDatabase(db.name);
  });

  it('npm run db:migrate brings an empty database to the current schema', async () => {
    const result = await runCommand(
      'npm',
      ['run', '--silent', 'db:migrate'],
      { DATABASE_URL: db.url },
      120000,
    );
    expect(result.stderr).not.toMatch(/error/i);
    expect(result.code).toBe(0);
    const applied: { name: string }[] = await ds.query('SELECT name FROM migrations ORDER BY id');
    expect(applied.map((m) => m.name)).toEqual(ds.migrations.map((m) => m.name));
    expect(await ds.showMigrations()).toBe(false); // nothing pending
    expect(await userTables(ds)).toEqual(
      expect.arrayContaining(['country', 'control_area', 'migrations']),
    );
  });

  it('npm run db:revert undoes the last migration, and every one can be reverted down to nothing', async () => {
    const before: { n: string }[] = await ds.query('SELECT count(*) AS n FROM migrations');
    const result = await runCommand(
      'npm',
      ['run', '--silent', 'db:revert'],
      { DATABASE_URL: db.url },
      120000,
    );
    expect(result.code).toBe(0);
    const after: { n: string }[] = await ds.query('SELECT count(*) AS n FROM migrations');
    expect(Number(after[0].n)).toBe(Number(before[0].n) - 1);
    while (Number((await ds.query('SELECT count(*) AS n FROM migrations'))[0].n) > 0) {
      await ds.undoLastMigration({ transaction: 'each' });
    }
    expect(await userTables(ds)).toEqual(['migrations']);
    const leftovers: { kind: string; name: string }[] = await ds.query(`
      SELECT 'type' AS kind, t.typname AS name FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
       WHERE n.nspname = 'public' AND t.typtype IN ('e', 'd')
      UNION ALL
      SELECT 'function', p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
       WHERE n.nspname = 'public'
      UNION ALL
      SELECT 'sequence', c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = 'public' AND c.relkind = 'S' AND c.relname <> 'migrations_id_seq'`);
    expect(leftovers).toEqual([]);
    // ...and back up again: the down() steps left nothing that blocks a fresh up().
    await ds.runMigrations({ transaction: 'each' });
    expect(await ds.showMigrations()).toBe(false);
  });
});
