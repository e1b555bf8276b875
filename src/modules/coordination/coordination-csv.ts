import type { CsvColumns, CsvValue } from '../search/csv';
import type { CommitmentRow, CoverageSummary } from './coverage.service';
import type { CoverageDonorDto, CoverageFiguresDto } from './dto/coverage.dto';

/** The columns of `GET /coordination/exports/commitments.csv`. */
export const COMMITMENT_CSV: CsvColumns<CommitmentRow> = {
  header: [
    'id',
    'matchId',
    'matchStatus',
    'needId',
    'needTitle',
    'state',
    'controlAreas',
    'donorPartyId',
    'donor',
    'offerId',
    'offerTitle',
    'amount',
    'currency',
    'amountUsd',
    'rateDate',
    'implementer',
    'startDate',
    'endDate',
    'overCommitment',
    'createdAt',
  ],
  row: (c) => [
    c.id,
    c.matchId,
    c.matchStatus,
    c.needId,
    c.needTitle,
    c.state,
    c.controlAreas,
    c.donorPartyId,
    c.donorName,
    c.offerId,
    c.offerTitle,
    c.amount,
    c.currency,
    c.amountUsd,
    c.rateDate,
    c.implementer,
    c.startDate,
    c.endDate,
    c.overCommitment,
    c.createdAt,
  ],
};

/** One row of the coverage CSV: the figures of one dimension value (blank where not applicable). */
export interface CoverageCsvRow {
  dimension: 'total' | 'donor' | 'region' | 'area';
  key: string;
  name: string;
  figures?: CoverageFiguresDto;
  donor?: CoverageDonorDto;
}

const FIGURE_KEYS: (keyof CoverageFiguresDto)[] = [
  'needsDeclared',
  'needsPublished',
  'needsCovered',
  'needsUnmet',
  'declaredUsd',
  'publishedUsd',
  'coveredUsd',
  'unmetUsd',
  'committedUsd',
  'gapUsd',
];
const DONOR_KEYS = [
  'needsFunded',
  'commitments',
  'offers',
  'envelopeUsd',
  'envelopeCommittedUsd',
  'envelopeRemainingUsd',
] as const;

/** The columns of `GET /coordination/exports/coverage.csv`. */
export const COVERAGE_CSV: CsvColumns<CoverageCsvRow> = {
  header: ['dimension', 'key', 'name', ...FIGURE_KEYS, ...DONOR_KEYS],
  row: (r) => {
    const figures: CsvValue[] = FIGURE_KEYS.map((k) => {
      if (r.figures) return r.figures[k];
      // A donor row has what it committed; the other figures are the needs'.
      return k === 'committedUsd' ? r.donor?.committedUsd : null;
    });
    const donor: CsvValue[] = DONOR_KEYS.map((k) => (r.donor ? r.donor[k] : null));
    return [r.dimension, r.key, r.name, ...figures, ...donor];
  },
};

export function coverageCsvRows(c: CoverageSummary): CoverageCsvRow[] {
  return [
    { dimension: 'total', key: '', name: 'All needs of the slice', figures: c.totals },
    ...c.byDonor.map((d) => ({
      dimension: 'donor' as const,
      key: d.partyId,
      name: d.name,
      donor: d,
    })),
    ...c.byRegion.map((r) => ({
      dimension: 'region' as const,
      key: r.code,
      name: r.name,
      figures: r,
    })),
    ...c.byArea.map((a) => ({
      dimension: 'area' as const,
      key: a.code,
      name: a.title,
      figures: a,
    })),
  ];
}
