import {
  donorOverlapSummary,
  envelopeExceededSummary,
  listOf,
  overCommitmentSummary,
  usd,
} from './alert-summaries';
import { compactUsd } from './coverage-chart';

describe('alert summaries', () => {
  it('name the State, area, donors and amounts in one English sentence', () => {
    expect(
      overCommitmentSummary({
        state: 'Peru',
        needTitle: 'Collection campaign',
        estimatedUsd: 40000,
        committedUsd: 50000.5,
        donors: [
          { donor: 'UNSCAR', amountUsd: 30000 },
          { donor: 'Germany', amountUsd: 20000.5 },
        ],
      }),
    ).toBe(
      `Peru's need "Collection campaign" is committed beyond its cost: USD 50,000.50 committed by UNSCAR (USD 30,000.00) and Germany (USD 20,000.50) against an estimated USD 40,000.00.`,
    );
    expect(
      donorOverlapSummary({
        state: 'Sierra Leone',
        areaCode: '05',
        areaTitle: 'Operational support',
        donors: [
          { donor: 'Germany', amountUsd: 1e6, startDate: '2027-01-01', endDate: '2027-06-30' },
          { donor: 'UNSCAR', amountUsd: 5, startDate: '2027-03-01', endDate: '2028-01-31' },
        ],
      }),
    ).toBe(
      'Germany and UNSCAR fund Sierra Leone in control area 05 (Operational support) over overlapping periods: Germany USD 1,000,000.00 (2027-01-01 to 2027-06-30); UNSCAR USD 5.00 (2027-03-01 to 2028-01-31).',
    );
    expect(
      envelopeExceededSummary({
        donor: 'EU',
        offerTitle: 'NAP support',
        totalUsd: 50000,
        committedUsd: 60000,
        states: ['Peru', 'Philippines'],
        areas: ['04.10', '05'],
      }),
    ).toBe(
      `EU's offer "NAP support" is committed beyond its envelope: USD 60,000.00 committed to Peru and Philippines in control areas 04.10 and 05 against USD 50,000.00.`,
    );
  });

  it('lists and amounts', () => {
    expect([[], ['A'], ['A', 'B'], ['A', 'B', 'C']].map(listOf)).toEqual([
      '',
      'A',
      'A and B',
      'A, B and C',
    ]);
    expect(usd('1234.5')).toBe('USD 1,234.50');
    expect([0, 950, 45000, 1234567, 2.5e9, 156000].map(compactUsd)).toEqual([
      '0',
      '950',
      '45k',
      '1.23M',
      '2.5B',
      '156k',
    ]);
  });
});
