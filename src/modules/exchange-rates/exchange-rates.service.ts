import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { Principal } from '../../common/access/roles';
import { AppException } from '../../common/errors';
import { decodeCursor, Page, toPage } from '../../common/pagination';
import { AuditService } from '../audit/audit.service';
import { ExchangeRateDto, ExchangeRateQueryDto, PutExchangeRateDto } from './dto/exchange-rate.dto';
import { currencyProblem, dateProblem } from './rate-values';

/** The base currency: its rate is 1 from 1900-01-01 on and cannot be changed or removed. */
export const BASE_CURRENCY = 'USD';

export interface UsdAmount {
  /** The amount in USD, rounded to cents, as a decimal string. */
  usd: string;
  /** The USD-per-unit rate used, as a decimal string. */
  rate: string;
  /** The date of the rate used (the latest on or before the requested date). */
  rateDate: string;
}

/** A rate to store (already validated). */
export interface RateInput {
  currency: string;
  date: string;
  usdPerUnit: string;
  source: string | null;
}

export interface RateRow {
  currency: string;
  rate_date: string;
  usd_per_unit: string;
  source: string | null;
  created_at: Date;
  created_by: string | null;
}

const SELECT_COLUMNS = `currency, to_char(rate_date, 'YYYY-MM-DD') AS rate_date, usd_per_unit::text AS usd_per_unit, source, created_at, created_by`;

export function toRateDto(row: RateRow): ExchangeRateDto {
  return {
    currency: row.currency,
    date: row.rate_date,
    usdPerUnit: Number(row.usd_per_unit),
    source: row.source,
    createdAt: row.created_at,
    createdBy: row.created_by,
  };
}

function badPath(field: string, message: string): AppException {
  return new AppException('VALIDATION_FAILED', `Invalid input: ${field}`, [
    { field, messages: [message] },
  ]);
}

/**
 * Dated exchange rates to USD, kept by the secretariat. Amounts are converted with the latest
 * rate on or before a date, in SQL numeric arithmetic (no floating point), rounded to cents.
 */
@Injectable()
export class ExchangeRatesService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditService,
  ) {}

  /**
   * `amount` (decimal string) of `currency` in USD at `date` (YYYY-MM-DD), using the latest
   * rate on or before that date. No such rate → 422 naming `field` in the details.
   */
  async toUsd(
    manager: EntityManager,
    amount: string,
    currency: string,
    date: string,
    field = 'estimatedCost.currency',
  ): Promise<UsdAmount> {
    const rows: { usd: string; rate: string; rate_date: string }[] = await manager.query(
      `SELECT round($1::numeric * usd_per_unit, 2)::text AS usd,
              usd_per_unit::text AS rate,
              to_char(rate_date, 'YYYY-MM-DD') AS rate_date
         FROM exchange_rate
        WHERE currency = $2 AND rate_date <= $3::date
        ORDER BY rate_date DESC
        LIMIT 1`,
      [amount, currency, date],
    );
    if (!rows.length) {
      const message = `No exchange rate for ${currency} on or before ${date}`;
      throw new AppException('UNPROCESSABLE', message, [
        {
          field,
          messages: [`${message}; the secretariat maintains the rates (/exchange-rates)`],
        },
      ]);
    }
    return { usd: rows[0].usd, rate: rows[0].rate, rateDate: rows[0].rate_date };
  }

  async list(query: ExchangeRateQueryDto): Promise<Page<ExchangeRateDto>> {
    const limit = query.limit ?? 50;
    const where: string[] = [];
    const params: unknown[] = [];
    const param = (value: unknown) => {
      params.push(value);
      return `$${params.length}`;
    };
    if (query.currency) where.push(`currency = ${param(query.currency.toUpperCase())}`);
    if (query.from) where.push(`rate_date >= ${param(query.from)}::date`);
    if (query.to) where.push(`rate_date <= ${param(query.to)}::date`);
    if (query.from && query.to && query.from > query.to) {
      throw new AppException('VALIDATION_FAILED', 'from is after to', [
        { field: 'to', messages: ['to must not be before from'] },
      ]);
    }
    const cursor = decodeCursor(query.cursor, 2);
    if (cursor) {
      const [c, d] = cursor.map(String);
      if (!dateProblem(d)) {
        where.push(
          `(currency > ${param(c)} OR (currency = ${param(c)} AND rate_date < ${param(d)}::date))`,
        );
      }
    }
    const rows: RateRow[] = await this.db.query(
      `SELECT ${SELECT_COLUMNS} FROM exchange_rate
        ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY currency ASC, rate_date DESC
        LIMIT ${limit + 1}`,
      params,
    );
    const page = toPage(rows, limit, (r) => [r.currency, r.rate_date]);
    return { items: page.items.map(toRateDto), nextCursor: page.nextCursor };
  }

  /** Path parameters: an ISO 4217 code (any case) and a calendar date; 400 otherwise. */
  parseKey(currency: string, date: string): { currency: string; date: string } {
    const code = currency.toUpperCase();
    const cp = currencyProblem(code);
    if (cp) throw badPath('currency', cp);
    const dp = dateProblem(date);
    if (dp) throw badPath('date', dp);
    return { currency: code, date };
  }

  /** Creates or replaces the rate of `currency` valid from `date` (secretariat). */
  async put(
    principal: Principal,
    currencyParam: string,
    dateParam: string,
    input: PutExchangeRateDto,
  ): Promise<ExchangeRateDto> {
    const { currency, date } = this.parseKey(currencyParam, dateParam);
    if (currency === BASE_CURRENCY) {
      throw new AppException('CONFLICT', 'USD is the base currency: its rate is always 1');
    }
    return this.db.transaction(async (m) => {
      const row = await this.upsert(
        m,
        {
          currency,
          date,
          usdPerUnit: String(input.usdPerUnit),
          source: input.source ?? null,
        },
        principal.userId,
      );
      return toRateDto(row);
    });
  }

  /**
   * Inserts or replaces one rate and audits the change, in the caller's transaction.
   * Used by the API and the CSV import.
   */
  async upsert(
    m: EntityManager,
    input: RateInput,
    userId: string | null,
    metadata?: Record<string, unknown>,
  ): Promise<RateRow> {
    const before: RateRow[] = await m.query(
      `SELECT ${SELECT_COLUMNS} FROM exchange_rate
        WHERE currency = $1 AND rate_date = $2::date FOR UPDATE`,
      [input.currency, input.date],
    );
    const rows: RateRow[] = await m.query(
      `INSERT INTO exchange_rate (currency, rate_date, usd_per_unit, source, created_by)
       VALUES ($1, $2::date, $3::numeric, $4, $5)
       ON CONFLICT (currency, rate_date) DO UPDATE
         SET usd_per_unit = EXCLUDED.usd_per_unit,
             source = EXCLUDED.source,
             created_at = now(),
             created_by = EXCLUDED.created_by
       RETURNING ${SELECT_COLUMNS}`,
      [input.currency, input.date, input.usdPerUnit, input.source, userId],
    );
    const after = rows[0];
    const view = (r?: RateRow) => (r ? { usdPerUnit: r.usd_per_unit, source: r.source } : null);
    await this.audit.record(m, {
      action: before.length ? 'exchange_rate.update' : 'exchange_rate.create',
      entityType: 'exchange_rate',
      entityId: `${input.currency}/${input.date}`,
      before: view(before[0]),
      after: view(after),
      metadata: { currency: input.currency, date: input.date, ...metadata },
    });
    return after;
  }

  /** Removes a rate (secretariat); the USD base rate stays (409). */
  async remove(currencyParam: string, dateParam: string): Promise<void> {
    const { currency, date } = this.parseKey(currencyParam, dateParam);
    await this.db.transaction(async (m) => {
      const rows: RateRow[] = await m.query(
        `SELECT ${SELECT_COLUMNS} FROM exchange_rate
          WHERE currency = $1 AND rate_date = $2::date FOR UPDATE`,
        [currency, date],
      );
      if (!rows.length) throw AppException.notFound('Exchange rate');
      if (currency === BASE_CURRENCY) {
        throw new AppException('CONFLICT', 'The USD base rate cannot be removed');
      }
      await m.query(`DELETE FROM exchange_rate WHERE currency = $1 AND rate_date = $2::date`, [
        currency,
        date,
      ]);
      await this.audit.record(m, {
        action: 'exchange_rate.delete',
        entityType: 'exchange_rate',
        entityId: `${currency}/${date}`,
        before: { usdPerUnit: rows[0].usd_per_unit, source: rows[0].source },
        metadata: { currency, date },
      });
    });
  }
}
