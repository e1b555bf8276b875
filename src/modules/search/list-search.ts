import { types as pgTypes } from 'pg';
import { EntityManager, ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { AppException } from '../../common/errors';
import { decodeCursor, encodeCursor, Page } from '../../common/pagination';
import { poolQuery, TypeParsers } from '../../common/prepared-query';
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
 * The SQL function `search_parse` (migration SearchSpeed) applies this list.
 */
export const QUERY_CONFIGS = ['english', 'french', 'spanish', 'russian', 'arabic', 'simple'];

/**
 * Word-similarity threshold of the correction of misspelt or truncated words (pg_trgm's
 * default 0.6 misses one-letter typos). Set on the SQL function `search_correct`.
 */
export const TRIGRAM_THRESHOLD = 0.45;

export const tsQuerySql = (param: string) =>
  `(${QUERY_CONFIGS.map((c) => `websearch_to_tsquery('${c}', :${param})`).join(' || ')})`;

/**
 * Runs a read in a transaction on its connection (TypeORM's query runner, its type parsers);
 * otherwise straight on the pool with `types` (see poolQuery).
 */
async function queryOn<R>(
  manager: EntityManager,
  sql: string,
  values: unknown[],
  types?: TypeParsers,
): Promise<R[]> {
  return manager.queryRunner
    ? ((await manager.query(sql, values)) as R[])
    : poolQuery<R>(manager.connection, sql, values, types);
}

/**
 * Adds the text search to a list query (stored `search_vector`, GIN); returns the relevance
 * expression for `sort=relevance` (`ts_rank` against the query actually run) and the match
 * condition.
 *
 * The full-text query is decided by PostgreSQL (`search_tsquery`, migration SearchSpeed): the
 * words parsed in every configuration when any record of the table matches them; otherwise —
 * a misspelt or truncated word — each word corrected to its nearest words of the table's
 * dictionary (trigram word similarity over the distinct words, not over every record), then
 * the same full-text search; null when nothing can match (then no row does). Whether any
 * record matches is decided over the whole table, whatever the caller may see, so every page
 * of a listing searches the same way. It is a subquery of the page's own statement, evaluated
 * once per statement (an InitPlan): a round trip of its own before each search cost more than
 * the decision (`docs/API-SPEED.md`, step 29). The prefix page's plan never depended on the
 * words (it walks the key order: `prefixFirstSql`). The full query (a rare word, a small
 * filtered set, `sort=relevance`) is planned with the default estimate of a text condition the
 * planner cannot see (0.5 % of the rows): the matches fetched through the GIN index and
 * sorted, the plan it is kept apart for.
 */
export function applyTextSearch<T extends ObjectLiteral>(
  qb: SelectQueryBuilder<T>,
  alias: string,
  q: string,
): { relevance: string; match: string } {
  const table = qb.expressionMap.mainAlias!.metadata.tableName;
  const tsq = `(SELECT search_tsquery(CAST(:searchTable AS regclass), :searchQ))`;
  const match = `${alias}.search_vector @@ ${tsq}`;
  qb.andWhere(match, { searchTable: table, searchQ: q });
  return { relevance: `CAST(ts_rank(${alias}.search_vector, ${tsq}) AS real)`, match };
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

const TIMESTAMPTZ_OID = 1184;
const parseTimestamptz = pgTypes.getTypeParser(TIMESTAMPTZ_OID, 'text') as (v: string) => Date;

/**
 * The driver's type parsers, except that timestamps stay PostgreSQL's text: a page reads
 * `limit + 1` rows of sort keys and needs them for the last row only (the cursor), so the
 * others are never parsed (50 `Date`s a page, ~50 µs of the API's CPU).
 */
const TIMESTAMPS_AS_TEXT: TypeParsers = {
  getTypeParser: (oid, format) =>
    oid === TIMESTAMPTZ_OID
      ? (v: string) => v
      : (pgTypes.getTypeParser(oid, format as 'text') as (v: string) => unknown),
};

/** A key value as the cursor holds it (a timestamp as ISO 8601 text, whether parsed or not). */
const keyValue = (type: KeyType, v: unknown): unknown => {
  const value = type === 'timestamptz' && typeof v === 'string' ? parseTimestamptz(v) : v;
  return value instanceof Date ? value.toISOString() : value;
};

interface KeysetOptions {
  sort: string;
  keys: SortKey[];
  direction?: 'ASC' | 'DESC';
  cursor?: string;
  limit: number;
}

/** Orders by the keys, resumes strictly after the cursor, asks for `limit + 1` rows. */
function applyKeyset<T extends ObjectLiteral>(
  qb: SelectQueryBuilder<T>,
  options: KeysetOptions,
): void {
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
}

/** The cursor of the page after `last` (the raw row holding the `sk_i` key values). */
function cursorAfter(last: Record<string, unknown>, options: KeysetOptions): string {
  return encodeCursor([
    options.sort,
    ...options.keys.map((k, i) => {
      const v = keyValue(k.type, last[`sk_${i}`]);
      return k.type === 'real' || k.type === 'smallint' ? Number(v) : v;
    }),
  ]);
}

/**
 * Keyset pagination over `keys` (the last is unique, e.g. the id): orders by them, resumes
 * strictly after the cursor's values with one row comparison, fetches `limit + 1` rows.
 * The cursor names its sort, so a cursor of another sort is refused (400) rather than misread.
 * Rows inserted meanwhile never shift the rows already ordered, so pages neither skip nor repeat.
 */
export async function keysetPage<T extends ObjectLiteral>(
  qb: SelectQueryBuilder<T>,
  options: KeysetOptions,
): Promise<Page<T>> {
  applyKeyset(qb, options);
  const { entities, raw } = await qb.getRawAndEntities();
  const more = entities.length > options.limit;
  const items = more ? entities.slice(0, options.limit) : entities;
  const nextCursor = more
    ? cursorAfter(raw[options.limit - 1] as Record<string, unknown>, options)
    : null;
  return { items, nextCursor };
}

/**
 * The same page, as the JSON text of `{ items, nextCursor }`, for the hot list endpoints:
 * each item is the JSON text of the SQL expression `json` over the query's alias (for needs the
 * stored `api_json`, which matches the DTO mapping exactly), so no entity is hydrated, no
 * value parsed and no object serialised in Node. With `prefix` (a text search in a key order),
 * see `prefixFirstSql`.
 */
export async function keysetJsonPage<T extends ObjectLiteral>(
  qb: SelectQueryBuilder<T>,
  options: KeysetOptions & {
    json: string;
    prefix?: PrefixSearch<T>;
    /**
     * Where the query builder runs: a transaction's manager runs the page on the
     * transaction's connection, any other straight on the pool.
     */
    manager: EntityManager;
  },
): Promise<string> {
  qb.select(`CAST(${options.json} AS text)`, 'item_json');
  applyKeyset(qb, options);
  const run = ([sql, values]: [string, unknown[]]) =>
    queryOn<Record<string, unknown>>(options.manager, sql, values, TIMESTAMPS_AS_TEXT);
  let raw: Record<string, unknown>[];
  if (options.prefix) {
    const { prefixPage, fullPage } = prefixFirstSql(qb, options, options.prefix);
    raw = await run(prefixPage);
    // A page short of limit + 1 rows among the prefix: a rare word, the full query decides.
    if (raw.length <= options.limit) raw = await run(fullPage);
  } else {
    raw = await run(qb.getQueryAndParameters());
  }
  const more = raw.length > options.limit;
  const rows = more ? raw.slice(0, options.limit) : raw;
  const nextCursor = more ? cursorAfter(rows[rows.length - 1], options) : null;
  return `{"items":[${rows.map((r) => r.item_json as string).join(',')}],"nextCursor":${JSON.stringify(nextCursor)}}`;
}

/** A text search listed in a key order: the same filters without the text condition. */
export interface PrefixSearch<T extends ObjectLiteral> {
  qb: SelectQueryBuilder<T>;
  alias: string;
  /** The text condition over `alias` (named parameters `:searchTable`, `:searchQ`). */
  match: string;
}

/**
 * Rows of the filtered list (in the page's key order, after the cursor) that a text search
 * looks through before it falls back to the full-text index.
 */
export const PREFIX_SEARCH_ROWS = 2000;

/**
 * A text search sorted by date, priority or cost, robust to the planner's misestimates: the
 * planner multiplies the frequencies of a query's words as if they were independent, so a
 * frequent phrase ("stockpile management": 5 % of the rows) is estimated at a few hundred
 * rows and fetched whole through the GIN index (thousands of heap pages, ~20 ms) and sorted,
 * where walking the key order would have found the page in the first thousand rows (~1 ms).
 * Two statements, cheaply: first (`prefixPage`) the page among the first PREFIX_SEARCH_ROWS
 * rows of the filtered list in key order (the same filters and cursor, the text condition
 * applied after them); if that fills the page (limit + 1 rows), it is exactly the page the full
 * query would return — the same rows in the same total order — and the full query is not run;
 * otherwise (a rare word) the full query (`fullPage`) runs, planned to fetch every match and
 * sort them (the text condition through the GIN index), not to walk the key order: the planner
 * estimates a word it has no statistics for at 0.5 % of the rows (1 % for two, as a word and its
 * stem), so with the key order's LIMIT it would walk the whole table looking for a word that
 * only an old row has (572 ms at 100,000 needs, 9.6 ms this way). The two were one statement
 * (a UNION ALL choosing its branch); PostgreSQL then planned both branches on every search,
 * 0.29–0.34 ms against 0.11–0.16 ms for the prefix alone, and a rare word is the exception.
 */
function prefixFirstSql<T extends ObjectLiteral>(
  full: SelectQueryBuilder<T>,
  options: KeysetOptions & { json: string },
  prefix: PrefixSearch<T>,
): { prefixPage: [string, unknown[]]; fullPage: [string, unknown[]] } {
  const { qb, alias, match } = prefix;
  qb.select(`${alias}.*`);
  applyKeyset(qb, { ...options, limit: PREFIX_SEARCH_ROWS - 1 });
  const dir = options.direction ?? 'DESC';
  const keys = options.keys.map((_k, i) => `"sk_${i}"`);
  const order = keys.map((k) => `${k} ${dir}`).join(', ');
  const rows = options.limit + 1;
  const params = { ...qb.getParameters(), ...full.getParameters() };
  const escape = (sql: string) =>
    full.connection.driver.escapeQueryWithParameters(sql, params) as [string, unknown[]];
  const prefixPage = escape(
    `SELECT CAST(${options.json} AS text) AS "item_json", ${keys.join(', ')}
       FROM (${qb.getQuery()}) ${alias}
      WHERE ${match} ORDER BY ${order} LIMIT ${rows}`,
  );
  // The full query without its order and limit (OFFSET 0: planned on its own, for every row),
  // then sorted; the builder is the page's own, used for nothing else after this.
  const everyMatch = `${full.orderBy().limit(undefined).getQuery()} OFFSET 0`;
  const fullPage = escape(
    `SELECT * FROM (${everyMatch}) full_page ORDER BY ${order} LIMIT ${rows}`,
  );
  return { prefixPage, fullPage };
}

/** One list: a filtered query (visibility included), its text search and sorts. */
export interface ListSpec<T extends ObjectLiteral> {
  qb: SelectQueryBuilder<T>;
  alias: string;
  manager: EntityManager;
  q?: string;
  sort: string;
  /** The keys of each sort (the last one unique), given the relevance expression. */
  keys: (relevance: string) => Record<string, SortKey[]>;
  direction?: 'ASC' | 'DESC';
  cursor?: string;
  limit: number;
}

/** Applies the text search (if `q`), then the keyset options of the sort. */
function prepareList<T extends ObjectLiteral>(spec: ListSpec<T>, withPrefix: boolean) {
  const { qb, alias, q, sort } = spec;
  // The filters without the text condition, for a search in a key order (keysetJsonPage).
  const before = withPrefix && q && sort !== 'relevance' ? qb.clone() : undefined;
  const text = q ? applyTextSearch(qb, alias, q) : undefined;
  const options: KeysetOptions = {
    sort,
    keys: spec.keys(text?.relevance ?? '')[sort],
    direction: spec.direction,
    cursor: spec.cursor,
    limit: spec.limit,
  };
  const prefix: PrefixSearch<T> | undefined =
    before && text?.match ? { qb: before, alias, match: text.match } : undefined;
  return { options, prefix };
}

/** One page of entities (keyset-paginated on the sort's key values and the id). */
export async function listPage<T extends ObjectLiteral>(spec: ListSpec<T>): Promise<Page<T>> {
  const { options } = prepareList(spec, false);
  return keysetPage(spec.qb, options);
}

/** One page as JSON text built by PostgreSQL with `json` (see keysetJsonPage). */
export async function listJsonPage<T extends ObjectLiteral>(
  spec: ListSpec<T>,
  json: string,
): Promise<string> {
  const { options, prefix } = prepareList(spec, true);
  return keysetJsonPage(spec.qb, { ...options, json, prefix, manager: spec.manager });
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
