import { DataSource, EntityManager, ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { AppException } from '../../common/errors';
import { decodeCursor, encodeCursor, Page } from '../../common/pagination';
import type { Country } from '../reference/country.entity';
import type { ReferenceCatalog } from '../reference/reference.service';
import { unknownFilterValue } from '../reference/reference.service';

/** Sorts of the lists: each descending (newest, highest priority, highest cost, best match). */
export const LIST_SORTS = ['date', 'priority', 'cost', 'relevance'] as const;
export type ListSort = (typeof LIST_SORTS)[number];

/**
 * The text-search configurations a query is parsed in, OR-ed: a French word is stemmed as
 * French and matches French records, whatever the caller's language. PostgreSQL 15 has no
 * Chinese configuration: `simple` (unstemmed words) covers it and exact words in any language.
 */
export const QUERY_CONFIGS = ['english', 'french', 'spanish', 'russian', 'arabic', 'simple'];

/** Word-similarity threshold of the trigram fallback (pg_trgm's default 0.6 misses one-letter typos). */
export const TRIGRAM_THRESHOLD = 0.45;

export const tsQuerySql = (param: string) =>
  `(${QUERY_CONFIGS.map((c) => `websearch_to_tsquery('${c}', :${param})`).join(' || ')})`;

/**
 * Full-text match over the stored `search_vector` (GIN). Only when no record of the table
 * matches the words at all — a misspelt or very short query — does it fall back to the
 * title's trigram word similarity (`<%`, trigram GIN). Keeping the two apart lets each use
 * its own index; an OR of both made PostgreSQL test the trigram condition row by row.
 * Returns the relevance expression for `sort=relevance`.
 */
export async function applyTextSearch<T extends ObjectLiteral>(
  qb: SelectQueryBuilder<T>,
  alias: string,
  q: string,
  manager: EntityManager,
): Promise<string> {
  const tsq = tsQuerySql('searchQ');
  const table = qb.expressionMap.mainAlias!.metadata.tableName;
  // On the caller's connection: a second one per request could exhaust the pool under load.
  const [{ found }] = (await manager.query(
    `SELECT EXISTS (SELECT 1 FROM "${table}" WHERE search_vector @@ ${tsQuerySqlPositional()}) AS found`,
    [q],
  )) as { found: boolean }[];
  if (found) {
    qb.andWhere(`${alias}.search_vector @@ ${tsq}`, { searchQ: q });
    return `CAST(ts_rank(${alias}.search_vector, ${tsq}) AS real)`;
  }
  qb.andWhere(`:searchQ <% ${alias}.title`, { searchQ: q });
  return `CAST(word_similarity(:searchQ, ${alias}.title) AS real)`;
}

const tsQuerySqlPositional = () =>
  `(${QUERY_CONFIGS.map((c) => `websearch_to_tsquery('${c}', $1)`).join(' || ')})`;

/**
 * Runs one list query. With a text query it runs in a transaction whose trigram threshold
 * (`TRIGRAM_THRESHOLD`) is set for that transaction alone.
 */
export async function runListQuery<T>(
  db: DataSource,
  q: string | undefined,
  run: (m: EntityManager) => Promise<T>,
): Promise<T> {
  if (!q) return run(db.manager);
  return db.transaction(async (m) => {
    await m.query(`SELECT set_config('pg_trgm.word_similarity_threshold', $1, true)`, [
      String(TRIGRAM_THRESHOLD),
    ]);
    return run(m);
  });
}

export type KeyType = 'timestamptz' | 'uuid' | 'numeric' | 'real' | 'smallint';

export interface SortKey {
  sql: string;
  type: KeyType;
}

const KEY_CHECKS: Record<KeyType, (v: unknown) => boolean> = {
  timestamptz: (v) => typeof v === 'string' && !Number.isNaN(Date.parse(v)),
  uuid: (v) => typeof v === 'string' && /^[0-9a-f-]{36}$/i.test(v),
  numeric: (v) => typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v),
  real: (v) => typeof v === 'number' && Number.isFinite(v),
  smallint: (v) => typeof v === 'number' && Number.isInteger(v),
};

function invalidCursor(): AppException {
  return new AppException('VALIDATION_FAILED', 'Invalid cursor', [
    { field: 'cursor', messages: ['cursor is not valid for this sort'] },
  ]);
}

const keyValue = (v: unknown): unknown => (v instanceof Date ? v.toISOString() : v);

/**
 * Keyset pagination over `keys` (the last is unique, e.g. the id): orders by them, resumes
 * strictly after the cursor's values with one row comparison, fetches `limit + 1` rows.
 * The cursor names its sort, so a cursor of another sort is refused (400) rather than misread.
 * Rows inserted meanwhile never shift the rows already ordered, so pages neither skip nor repeat.
 */
export async function keysetPage<T extends ObjectLiteral>(
  qb: SelectQueryBuilder<T>,
  options: {
    sort: string;
    keys: SortKey[];
    direction?: 'ASC' | 'DESC';
    cursor?: string;
    limit: number;
  },
): Promise<Page<T>> {
  const dir = options.direction ?? 'DESC';
  const { keys, limit } = options;
  keys.forEach((k, i) => {
    // Parenthesised, so TypeORM takes it as an expression, not as a column it would re-alias.
    qb.addSelect(`(${k.sql})`, `sk_${i}`);
    if (i === 0) qb.orderBy(`sk_${i}`, dir);
    else qb.addOrderBy(`sk_${i}`, dir);
  });
  const cursor = decodeCursor(options.cursor, keys.length + 1);
  if (cursor) {
    const [sort, ...values] = cursor;
    if (sort !== options.sort || !keys.every((k, i) => KEY_CHECKS[k.type](values[i]))) {
      throw invalidCursor();
    }
    const params: Record<string, unknown> = {};
    const placeholders = keys.map((k, i) => {
      params[`ck_${i}`] = values[i];
      return `CAST(:ck_${i} AS ${k.type})`;
    });
    qb.andWhere(
      `(${keys.map((k) => k.sql).join(', ')}) ${dir === 'DESC' ? '<' : '>'} (${placeholders.join(', ')})`,
      params,
    );
  }
  qb.limit(limit + 1);
  const { entities, raw } = await qb.getRawAndEntities();
  const more = entities.length > limit;
  const items = more ? entities.slice(0, limit) : entities;
  let nextCursor: string | null = null;
  if (more) {
    const last = raw[limit - 1] as Record<string, unknown>;
    nextCursor = encodeCursor([
      options.sort,
      ...keys.map((k, i) => {
        const v = keyValue(last[`sk_${i}`]);
        return k.type === 'real' || k.type === 'smallint' ? Number(v) : v;
      }),
    ]);
  }
  return { items, nextCursor };
}

/** `sort=relevance` needs a query to be relevant to. */
export function assertSortable(sort: string | undefined, q: string | undefined): void {
  if (sort === 'relevance' && !q) {
    throw new AppException('VALIDATION_FAILED', 'Invalid input: sort', [
      { field: 'sort', messages: ['sort=relevance requires q'] },
    ]);
  }
}

/** The countries a `region` (any M49 level, name or code) and/or `group` filter selects. */
export function countriesOf(
  catalog: ReferenceCatalog,
  filter: { region?: string; group?: string },
): Country[] | undefined {
  if (filter.region === undefined && filter.group === undefined) return undefined;
  if (filter.region !== undefined && !catalog.resolveRegion(filter.region)) {
    throw unknownFilterValue(
      'region',
      filter.region,
      'an M49 region, sub-region or intermediate region name or code',
    );
  }
  if (filter.group !== undefined && !catalog.resolveGroup(filter.group)) {
    throw unknownFilterValue(
      'group',
      filter.group,
      `one of ${catalog.regionalGroups.map((g) => g.code).join(', ')}`,
    );
  }
  return catalog.filterCountries(filter) ?? [];
}

/** A control-area filter: a series matches its modules, a module also matches its series. */
export function controlAreaCodes(catalog: ReferenceCatalog, value: string): string[] {
  const area = catalog.controlAreas.find((a) => a.code === value);
  if (!area) {
    throw unknownFilterValue('controlArea', value, 'a control area module or series code');
  }
  return [...catalog.expandControlArea(area.code), ...(area.series ? [area.series] : [])];
}

/** 400 when minCost > maxCost. */
export function assertCostRange(minCost?: number, maxCost?: number): void {
  if (minCost !== undefined && maxCost !== undefined && minCost > maxCost) {
    throw new AppException('VALIDATION_FAILED', 'Invalid input: minCost', [
      { field: 'minCost', messages: ['minCost must not be greater than maxCost'] },
    ]);
  }
}
