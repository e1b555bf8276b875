import type { NeedFacts, OfferFacts } from './types';

/** Hard rules, each named so that an explanation can cite it. */
export const RULES = [
  'need_open',
  'offer_active',
  'state_eligible',
  'assistance_type_shared',
  'windows_overlap',
  'above_offer_minimum',
  'envelope_left',
] as const;
export type Rule = (typeof RULES)[number];

export interface Eligibility {
  eligible: boolean;
  passed: Rule[];
  failed: Rule[];
  /** The need's uncovered cost exceeds what the offer can give one project: it covers part. */
  partial: boolean;
}

const OPEN_NEED = new Set(['published', 'partially_covered']);

/** Whether the State falls under the offer's regions, groups and countries, less exclusions. */
export function stateEligible(
  need: Pick<NeedFacts, 'state' | 'stateRegions' | 'stateGroup'>,
  offer: Pick<OfferFacts, 'eligibility'>,
): boolean {
  const { regions, groups, countries, excludeCountries } = offer.eligibility;
  if (excludeCountries.includes(need.state)) return false;
  if (!regions.length && !groups.length && !countries.length) return true;
  return (
    countries.includes(need.state) ||
    (need.stateGroup !== null && groups.includes(need.stateGroup)) ||
    need.stateRegions.some((r) => regions.includes(r))
  );
}

/** Inclusive date ranges overlap; a need without an earliest start is open from the start. */
export function windowsOverlap(
  need: Pick<NeedFacts, 'earliestStart' | 'neededBy'>,
  offer: Pick<OfferFacts, 'startDate' | 'endDate'>,
): boolean {
  return (
    offer.startDate <= need.neededBy &&
    (need.earliestStart === null || offer.endDate >= need.earliestStart)
  );
}

export function checkEligibility(need: NeedFacts, offer: OfferFacts): Eligibility {
  const outcome: Record<Rule, boolean> = {
    need_open: OPEN_NEED.has(need.status),
    offer_active: offer.status === 'active',
    state_eligible: stateEligible(need, offer),
    assistance_type_shared: need.assistanceTypes.some((t) => offer.assistanceTypes.includes(t)),
    windows_overlap: windowsOverlap(need, offer),
    above_offer_minimum:
      offer.minPerProjectUsd === null || need.uncoveredUsd >= offer.minPerProjectUsd,
    envelope_left: offer.remainingUsd > 0,
  };
  const passed = RULES.filter((r) => outcome[r]);
  const failed = RULES.filter((r) => !outcome[r]);
  const cap = Math.min(offer.maxPerProjectUsd ?? Infinity, offer.remainingUsd);
  return { eligible: failed.length === 0, passed, failed, partial: need.uncoveredUsd > cap };
}
