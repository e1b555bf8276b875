/** USD amounts in summaries: "USD 120,000.00". */
export const usd = (value: number | string): string =>
  `USD ${Number(value).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

/** "A", "A and B", "A, B and C". */
export function listOf(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

export interface DonorShare {
  donor: string;
  amountUsd: number;
}

export function overCommitmentSummary(input: {
  state: string;
  needTitle: string;
  estimatedUsd: number;
  committedUsd: number;
  donors: DonorShare[];
}): string {
  const shares = input.donors.map((d) => `${d.donor} (${usd(d.amountUsd)})`);
  return `${input.state}'s need "${input.needTitle}" is committed beyond its cost: ${usd(input.committedUsd)} committed by ${listOf(shares)} against an estimated ${usd(input.estimatedUsd)}.`;
}

export interface DonorPeriod {
  donor: string;
  amountUsd: number;
  startDate: string;
  endDate: string;
}

export function donorOverlapSummary(input: {
  state: string;
  areaCode: string;
  areaTitle: string;
  donors: DonorPeriod[];
}): string {
  const parts = input.donors.map(
    (d) => `${d.donor} ${usd(d.amountUsd)} (${d.startDate} to ${d.endDate})`,
  );
  return `${listOf(input.donors.map((d) => d.donor))} fund ${input.state} in control area ${input.areaCode} (${input.areaTitle}) over overlapping periods: ${parts.join('; ')}.`;
}

export function envelopeExceededSummary(input: {
  donor: string;
  offerTitle: string;
  totalUsd: number;
  committedUsd: number;
  states: string[];
  areas: string[];
}): string {
  const where = input.states.length ? ` to ${listOf(input.states)}` : '';
  const areas = input.areas.length
    ? ` in control area${input.areas.length > 1 ? 's' : ''} ${listOf(input.areas)}`
    : '';
  return `${input.donor}'s offer "${input.offerTitle}" is committed beyond its envelope: ${usd(input.committedUsd)} committed${where}${areas} against ${usd(input.totalUsd)}.`;
}
