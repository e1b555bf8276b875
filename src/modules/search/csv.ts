import { once } from 'node:events';
import type { Response } from 'express';
import type { Page } from '../../common/pagination';

export type CsvValue = string | number | boolean | Date | null | undefined | string[];

/**
 * One CSV cell (RFC 4180): lists joined by `;`, dates as ISO 8601, null as empty; quoted when
 * it holds a comma, quote, line break or edge spaces. Text starting with `=`, `+`, `-` or `@`
 * (a spreadsheet formula) is prefixed with `'` so opening the file never runs it.
 */
export function csvCell(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  let text: string;
  if (Array.isArray(value)) text = value.join(';');
  else if (value instanceof Date) text = value.toISOString();
  else text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export const csvLine = (values: CsvValue[]) => `${values.map(csvCell).join(',')}\r\n`;

export interface CsvColumns<T> {
  header: string[];
  row: (item: T) => CsvValue[];
}

/** Batches of a keyset-paginated list, one page after another, until the last. */
export async function* pages<T>(
  fetch: (cursor: string | undefined) => Promise<Page<T>>,
): AsyncGenerator<T[]> {
  let cursor: string | undefined;
  do {
    const page = await fetch(cursor);
    yield page.items;
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
}

/**
 * Streams a list as CSV: a header, then each batch as it is read (memory holds one batch,
 * never the whole list). The first batch is read before any header is sent, so a bad filter
 * still answers a JSON error; a failure later cuts the download short.
 */
export async function streamCsv<T>(
  res: Response,
  filename: string,
  columns: CsvColumns<T>,
  batches: AsyncGenerator<T[]>,
): Promise<void> {
  const first = await batches.next();
  res.status(200);
  res.setHeader('Content-Type', 'text/csv; charset=utf-8');
  res.setHeader('Content-Disposition', `attachment; filename="${filename}"`);
  res.setHeader('Cache-Control', 'no-store');
  const write = async (chunk: string) => {
    if (!res.write(chunk)) await once(res, 'drain');
  };
  try {
    await write(csvLine(columns.header));
    let batch = first;
    while (!batch.done) {
      if (res.destroyed) return;
      if (batch.value.length) await write(batch.value.map((i) => csvLine(columns.row(i))).join(''));
      batch = await batches.next();
    }
    res.end();
  } catch (error) {
    res.destroy(error as Error);
  }
}

/** Rows per batch of an export. */
export const EXPORT_BATCH = 1000;
