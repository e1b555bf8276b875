import type { DataSource } from 'typeorm';

/** The pg type parsers of one query (pg's `types` query option). */
export interface TypeParsers {
  getTypeParser(oid: number, format?: string): (value: string) => unknown;
}

interface PgPool {
  query(config: {
    name?: string;
    text: string;
    values: unknown[];
    types?: TypeParsers;
  }): Promise<{ rows: unknown[] }>;
}

const poolOf = (db: DataSource) => (db.driver as unknown as { master: PgPool }).master;

/**
 * Runs a fixed, hot, read-only statement as a named prepared statement straight on the
 * connection pool: PostgreSQL parses and plans it once per connection, not on every request,
 * and TypeORM's per-query work (query runner, logging) is skipped. Only for statements whose
 * text never varies (values go in `values`) and whose plan does not depend on them (lookups by
 * key), so that the cached plan is the right one.
 */
export async function preparedQuery<T>(
  db: DataSource,
  name: string,
  text: string,
  values: unknown[],
): Promise<T[]> {
  const result = await poolOf(db).query({ name, text, values });
  return result.rows as T[];
}

/**
 * Runs a read-only statement straight on the connection pool, with the given type parsers:
 * without TypeORM's per-query work (query runner, logging), for a hot read whose SQL TypeORM
 * has already built. Outside a transaction only (the pool hands out any connection).
 */
export async function poolQuery<T>(
  db: DataSource,
  text: string,
  values: unknown[],
  types?: TypeParsers,
): Promise<T[]> {
  const result = await poolOf(db).query({ text, values, types });
  return result.rows as T[];
}

/**
 * A WHERE fragment with TypeORM named parameters (`:name`, `IN (:...list)`,
 * `NOT IN (:...list)`) in positional form for `preparedQuery`: each value is appended to
 * `values`, lists are passed whole (`= ANY($n)`, `<> ALL($n)`), so the text stays the same
 * whatever the lists hold.
 */
export function toPositional(
  sql: string,
  params: Record<string, unknown>,
  values: unknown[],
): string {
  const slot = (name: string) => {
    if (!(name in params)) throw new Error(`No value for parameter :${name}`);
    values.push(params[name]);
    return `$${values.length}`;
  };
  return sql
    .replace(
      /(NOT\s+)?IN\s*\(\s*:\.\.\.(\w+)\s*\)/gi,
      (_m, not: string | undefined, name: string) =>
        not ? `<> ALL(${slot(name)})` : `= ANY(${slot(name)})`,
    )
    .replace(/(?<![:\w]):(\w+)/g, (_m, name: string) => slot(name));
}

const statementNames = new Map<string, string>();

/** A stable statement name for a statement text (one per distinct text). */
export function statementName(prefix: string, text: string): string {
  let name = statementNames.get(text);
  if (!name) {
    name = `${prefix}-${statementNames.size + 1}`;
    statementNames.set(text, name);
  }
  return name;
}
