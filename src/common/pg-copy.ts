import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { EntityManager } from 'typeorm';

/**
 * Bulk inserts with `COPY … FROM STDIN (FORMAT csv)`, inside the caller's transaction.
 *
 * For many new rows COPY is much cheaper for PostgreSQL than a multi-row `INSERT … SELECT FROM
 * unnest(…)`: no array parameters to parse and, without `ON CONFLICT`, no speculative insertion
 * (a probe of the unique index before each row, then a second WAL record to confirm it). When
 * every column with a volatile default is given, rows go to the heap a page at a time. It cannot
 * resolve conflicts: a duplicate key fails the statement (SQLSTATE 23505), which callers turn
 * into their upsert (see `MatchingService.insertFresh`).
 *
 * Callers build each row's CSV line themselves (a template literal per row is several times
 * cheaper than a function call per field), with `csvText` for any text and `csvBool` for
 * booleans; uuids and finite numbers go as they are.
 */

const QUOTE = /"/g;

/**
 * Text as a CSV field: always quoted, so that an empty string is not NULL and commas, new lines
 * and quotes are data; `"` doubled. Backslashes are not special in CSV.
 */
export function csvText(s: string): string {
  return s.includes('"') ? `"${s.replace(QUOTE, '""')}"` : `"${s}"`;
}

export function csvBool(b: boolean): string {
  return b ? 't' : 'f';
}

/** Bytes sent per CopyData message. */
const CHUNK = 1 << 20;

/**
 * Copies CSV `lines` (each a row of `columns`, ending in a new line) into `table` on the
 * connection of `m`, which must be a transaction's manager (the rows commit or roll back with
 * it). Returns the rows copied.
 *
 * The lines are encoded one by one into buffers of a megabyte: encoding them as one string
 * would first flatten it, as two-byte text if any line has a character outside Latin-1, which
 * cost more than building the lines. `lines` may be any iterable: a generator that builds each
 * line as it is taken keeps no line alive past its encoding (built all at once, a sub-batch's
 * lines outlived a young-generation collection or two and were copied, then promoted).
 */
export async function copyLines(
  m: EntityManager,
  table: string,
  columns: readonly string[],
  lines: Iterable<string>,
): Promise<number> {
  if (!m.queryRunner?.isTransactionActive)
    throw new Error('copyLines needs the manager of an active transaction');
  const client = (await m.queryRunner.connect()) as PoolClient;
  const stream = client.query(
    copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN (FORMAT csv)`),
  );
  let failed = false;
  const done = new Promise<void>((resolve, reject) => {
    stream.on('error', (e) => {
      failed = true;
      reject(e);
    });
    stream.on('finish', resolve);
  });
  // Awaited below; a failure while lines are still being written must not go unhandled.
  done.catch(() => undefined);
  let buf = Buffer.allocUnsafe(CHUNK);
  let at = 0;
  const flush = async () => {
    if (at === 0) return;
    const full = stream.write(buf.subarray(0, at));
    buf = Buffer.allocUnsafe(CHUNK);
    at = 0;
    if (!full && !failed)
      // Until the stream drains or fails, whichever comes first; neither listener is left.
      await new Promise<void>((resolve) => {
        const go = () => {
          stream.off('drain', go);
          stream.off('error', go);
          resolve();
        };
        stream.on('drain', go);
        stream.on('error', go);
      });
  };
  for (const line of lines) {
    if (failed) break;
    // Up to 3 bytes per UTF-16 unit: a line that may not fit goes after a flush, or alone.
    if (at + line.length * 3 > CHUNK) await flush();
    if (line.length * 3 > CHUNK) stream.write(Buffer.from(line));
    else at += buf.write(line, at);
  }
  if (!failed) {
    await flush();
    stream.end();
  }
  await done;
  return stream.rowCount;
}
