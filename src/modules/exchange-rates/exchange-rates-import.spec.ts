import { isCalendarDate } from './calendar-date';
import { parseRatesCsv } from './exchange-rates-import.service';

describe('rates CSV', () => {
  it('reads rows with line numbers, upper-cases currencies, source optional', () => {
    const { rows, problems } = parseRatesCsv(
      '\uFEFFCurrency,Date,USD_per_unit,source\r\nEUR,2024-01-01,1.1,UN\r\n\r\nxof,2024-01-01,0.00165,\r\n',
    );
    expect(problems).toEqual([]);
    expect(rows).toEqual([
      { line: 2, currency: 'EUR', date: '2024-01-01', usdPerUnit: '1.1', source: 'UN' },
      { line: 4, currency: 'XOF', date: '2024-01-01', usdPerUnit: '0.00165', source: null },
    ]);
  });

  it('names line, field and reason for every bad row', () => {
    const { rows, problems } = parseRatesCsv(
      [
        'currency,date,usd_per_unit',
        'EUR,2024-01-01,1.1',
        'ABC,2024-01-01,1',
        'EUR,2024-1-1,1',
        'EUR,2024-01-02,-1',
        'EUR,2024-01-03,1e3',
        'EUR,2024-01-04,1000000000',
        'EUR,2024-01-01,1.2',
        'EUR,2024-01-05,1,extra',
        ',,',
      ].join('\n'),
    );
    expect(rows).toHaveLength(1);
    expect(problems.map((p) => [p.line, p.field])).toEqual([
      [3, 'currency'],
      [4, 'date'],
      [5, 'usd_per_unit'],
      [6, 'usd_per_unit'],
      [7, 'usd_per_unit'],
      [8, 'date'],
      [9, 'row'],
      [10, 'currency'],
      [10, 'date'],
      [10, 'usd_per_unit'],
    ]);
  });

  it('requires the header row', () => {
    expect(parseRatesCsv('EUR,2024-01-01,1.1\n').problems).toEqual([
      { line: 1, field: 'header', reason: expect.stringContaining('missing column(s)') },
    ]);
    expect(parseRatesCsv('').problems[0]).toMatchObject({ line: 1, field: 'header' });
    expect(parseRatesCsv('currency,date,usd_per_unit,rate\n').problems[0].reason).toContain(
      'unknown column(s) rate',
    );
    expect(parseRatesCsv('currency,date,usd_per_unit\n').problems[0].reason).toContain(
      'no rate rows',
    );
  });

  it('checks calendar dates', () => {
    expect(isCalendarDate('2024-02-29')).toBe(true);
    expect(isCalendarDate('2023-02-29')).toBe(false);
    expect(isCalendarDate('2024-13-01')).toBe(false);
    expect(isCalendarDate('2024-01-01T00:00:00Z')).toBe(false);
    expect(isCalendarDate(20240101)).toBe(false);
  });
});
