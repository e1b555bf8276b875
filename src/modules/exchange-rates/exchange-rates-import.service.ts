import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { parse } from 'csv-parse/sync';
import { ClsService } from 'nestjs-cls';
import { DataSource } from 'typeorm';
import { systemPrincipal } from '../../common/access/roles';
import type { RequestContext } from '../../common/context/request-context';
import { BASE_CURRENCY, ExchangeRatesService, RateInput } from './exchange-rates.service';
import { currencyProblem, dateProblem, rateTextProblem } from './rate-values';

export interface RateLine extends RateInput {
  /** The line of the file the row came from (the header is line 1). */
  line: number;
}

export interface RowProblem {
  line: number;
  field: string;
  reason: string;
}

export interface ParsedRates {
  rows: RateLine[];
  problems: RowProblem[];
}

const REQUIRED = ['currency', 'date', 'usd_per_unit'] as const;
const OPTIONAL = ['source'] as const;
const HEADER_HINT = 'expected the header row currency,date,usd_per_unit[,source]';

/**
 * Reads a rates CSV (`currency,date,usd_per_unit[,source]`, header row required) and checks
 * every row; nothing is stored here. Each problem names its line, field and reason.
 */
export function parseRatesCsv(content: string): ParsedRates {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(content, {
      bom: true,
      info: true,
      trim: true,
      skip_empty_lines: true,
      relax_column_count: true,
    }) as unknown as { record: string[]; info: { lines: number } }[];
  } catch (error) {
    const e = error as Error & { lines?: number };
    return { rows: [], problems: [{ line: e.lines ?? 1, field: 'file', reason: e.message }] };
  }
  if (!records.length) {
    return {
      rows: [],
      problems: [{ line: 1, field: 'header', reason: `empty file: ${HEADER_HINT}` }],
    };
  }
  const header = records[0].record.map((h) => h.toLowerCase());
  const headerLine = records[0].info.lines;
  const problems: RowProblem[] = [];
  const missing = REQUIRED.filter((c) => !header.includes(c));
  const unknown = header.filter(
    (c) =>
      !(REQUIRED as readonly string[]).includes(c) && !(OPTIONAL as readonly string[]).includes(c),
  );
  const repeated = header.filter((c, i) => header.indexOf(c) !== i);
  if (missing.length || unknown.length || repeated.length) {
    const parts = [
      missing.length ? `missing column(s) ${missing.join(', ')}` : '',
      unknown.length ? `unknown column(s) ${unknown.join(', ')}` : '',
      repeated.length ? `repeated column(s) ${repeated.join(', ')}` : '',
    ].filter(Boolean);
    return {
      rows: [],
      problems: [
        { line: headerLine, field: 'header', reason: `${parts.join('; ')}: ${HEADER_HINT}` },
      ],
    };
  }
  const col = (name: string) => header.indexOf(name);
  const rows: RateLine[] = [];
  const seen = new Map<string, number>();
  for (const { record, info } of records.slice(1)) {
    const line = info.lines;
    const before = problems.length;
    if (record.length > header.length) {
      problems.push({
        line,
        field: 'row',
        reason: `has ${record.length} fields, the header has ${header.length}`,
      });
      continue;
    }
    const value = (name: string) => (col(name) >= 0 ? (record[col(name)] ?? '') : '');
    const currency = value('currency').toUpperCase();
    const date = value('date');
    const rate = value('usd_per_unit');
    const source = value('source');
    const cp = currency ? currencyProblem(currency) : 'currency is required';
    if (cp) problems.push({ line, field: 'currency', reason: cp });
    else if (currency === BASE_CURRENCY) {
      problems.push({
        line,
        field: 'currency',
        reason: 'USD is the base currency: its rate is always 1',
      });
    }
    const dp = date ? dateProblem(date) : 'date is required';
    if (dp) problems.push({ line, field: 'date', reason: dp });
    const rp = rate ? rateTextProblem(rate) : 'usd_per_unit is required';
    if (rp) problems.push({ line, field: 'usd_per_unit', reason: rp });
    if (source.length > 200) {
      problems.push({ line, field: 'source', reason: 'source must be at most 200 characters' });
    }
    if (problems.length > before) continue;
    const key = `${currency}/${date}`;
    const first = seen.get(key);
    if (first !== undefined) {
      problems.push({
        line,
        field: 'date',
        reason: `${currency} on ${date} is already given on line ${first}`,
      });
      continue;
    }
    seen.set(key, line);
    rows.push({ line, currency, date, usdPerUnit: rate, source: source || null });
  }
  if (!rows.length && !problems.length) {
    problems.push({ line: headerLine, field: 'file', reason: 'no rate rows after the header' });
  }
  return { rows, problems };
}

/** The CSV load behind `npm run cli -- import-rates <file.csv>`: all rows or none. */
@Injectable()
export class ExchangeRatesImportService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly rates: ExchangeRatesService,
    private readonly cls: ClsService<RequestContext>,
  ) {}

  /** Validates every row first; stores nothing when any is bad, otherwise all in one transaction. */
  async importCsv(
    content: string,
    file = 'stdin',
  ): Promise<{ count: number; problems: RowProblem[] }> {
    const { rows, problems } = parseRatesCsv(content);
    if (problems.length) return { count: 0, problems };
    await this.cls.run(async () => {
      this.cls.set('principal', systemPrincipal('cli:import-rates'));
      this.cls.set('jobId', 'cli:import-rates');
      await this.db.transaction(async (m) => {
        for (const row of rows) {
          await this.rates.upsert(m, row, null, { import: file, line: row.line });
        }
      });
    });
    return { count: rows.length, problems: [] };
  }
}
