import { QueryFailedError } from 'typeorm';
import { hasRole, Principal } from '../../common/access/roles';
import type { MatchSuggestion } from '../matching/match-suggestion.entity';
import type { MatchSide } from './match-lifecycle';

/**
 * The sides the caller acts for on a match: the State side is a national contact of the need's
 * party, the donor side a donor focal point of the offer's party, plus the secretariat.
 */
export function sidesOf(
  principal: Principal,
  match: Pick<MatchSuggestion, 'needPartyId' | 'offerPartyId'>,
): MatchSide[] {
  const sides: MatchSide[] = [];
  if (hasRole(principal, 'national_contact') && principal.partyId === match.needPartyId)
    sides.push('state');
  if (hasRole(principal, 'donor_focal_point') && principal.partyId === match.offerPartyId)
    sides.push('donor');
  if (hasRole(principal, 'secretariat')) sides.push('secretariat');
  return sides;
}

/** Either party of the match (any of its users) or the secretariat: the discussion's members. */
export function isMatchMember(
  principal: Principal,
  match: Pick<MatchSuggestion, 'needPartyId' | 'offerPartyId'>,
): boolean {
  if (hasRole(principal, 'secretariat')) return true;
  return (
    !!principal.partyId &&
    (principal.partyId === match.needPartyId || principal.partyId === match.offerPartyId)
  );
}

/** Decimal string (2 places) to integer cents, exact for the amounts numeric(18,2) holds. */
export const cents = (value: string | number): number => Math.round(Number(value) * 100);
export const fromCents = (value: number): string => (value / 100).toFixed(2);

/**
 * Runs a transaction again when PostgreSQL chose it as a deadlock victim (or a serialisation
 * failure), a few times; locks are taken in a fixed order so this should be rare.
 */
export async function retryOnDeadlock<T>(work: () => Promise<T>, attempts = 3): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await work();
    } catch (error) {
      const code = (error as QueryFailedError & { driverError?: { code?: string } }).driverError
        ?.code;
      if (
        i >= attempts ||
        !(error instanceof QueryFailedError) ||
        !['40P01', '40001'].includes(code ?? '')
      )
        throw error;
    }
  }
}
