import { Client } from 'pg';
import { plainArrayLiteral, textArrayLiteral } from '../../src/common/pg-array';
import { databaseUrl } from '../utils/test-env';

/** The literals must be read by PostgreSQL as the very arrays node-postgres would have sent. */
describe('array literals for bulk parameters', () => {
  let pg: Client;
  beforeAll(async () => {
    pg = new Client({ connectionString: databaseUrl('postgres') });
    await pg.connect();
  });
  afterAll(() => pg.end());

  const same = async (literal: string, values: unknown[], type: string) => {
    const [row] = (
      await pg.query(
        `SELECT $1::${type}[] IS NOT DISTINCT FROM $2::${type}[] AS equal, $1::${type}[] AS parsed`,
        [literal, values],
      )
    ).rows;
    return row as { equal: boolean; parsed: unknown[] };
  };

  it('reads text with quotes, backslashes, braces, commas, spaces, NULL and non-ASCII unchanged', async () => {
    const values = [
      'plain',
      'a "quoted" word',
      'back\\slash \\" both',
      '{braces},commas, and spaces ',
      'NULL',
      '',
      'line\nbreak\ttab',
      'Côte d’Ivoire — 中文 — العربية — 🙂',
      '{need_open,offer_active}',
    ];
    const r = await same(textArrayLiteral(values), values, 'text');
    expect(r).toEqual({ equal: true, parsed: values });
  });

  it('reads uuids, numbers, booleans and integers as their arrays', async () => {
    const ids = ['0a1b2c3d-0000-4000-8000-000000000001', 'ffffffff-ffff-4fff-bfff-ffffffffffff'];
    expect((await same(plainArrayLiteral(ids), ids, 'uuid')).equal).toBe(true);
    const scores = [0, 1, 0.8123, 0.0001, 1e-7, 0.5];
    expect((await same(plainArrayLiteral(scores), scores, 'numeric')).equal).toBe(true);
    expect(
      (await same(plainArrayLiteral([true, false, true]), [true, false, true], 'boolean')).equal,
    ).toBe(true);
    expect((await same(plainArrayLiteral([1, 42, -3]), [1, 42, -3], 'int')).equal).toBe(true);
    expect((await same(plainArrayLiteral([]), [], 'uuid')).equal).toBe(true);
    expect((await same(textArrayLiteral([]), [], 'text')).equal).toBe(true);
  });
});
