import { EntityManager } from 'typeorm';
import { hasRole, Principal } from '../../common/access/roles';
import { AppException } from '../../common/errors';
import { Party } from '../parties/party.entity';

export interface FilingParty {
  party: Party & { countryCode: string };
  /** True when the secretariat files for the State. */
  onBehalf: boolean;
}

/**
 * The State a new plan or need belongs to: a national contact's own State, or (secretariat
 * only) the State party named by `partyId`. Others are refused with 403.
 */
export async function resolveFilingParty(
  m: EntityManager,
  principal: Principal,
  partyId: string | undefined,
  what: string,
): Promise<FilingParty> {
  const ownState =
    hasRole(principal, 'national_contact') && principal.partyType === 'state' && principal.partyId;
  if (partyId !== undefined && !(ownState && partyId === principal.partyId)) {
    if (!hasRole(principal, 'secretariat')) {
      throw new AppException(
        'FORBIDDEN',
        `Only the secretariat may file a ${what} for another party`,
      );
    }
    const party = await m.findOne(Party, { where: { id: partyId } });
    if (!party || party.type !== 'state' || !party.active || !party.countryCode) {
      throw new AppException('UNKNOWN_REFERENCE', `partyId does not name an active State party`, [
        {
          field: 'partyId',
          messages: ['partyId must name an active State party'],
          values: [partyId],
        },
      ]);
    }
    return { party: party as FilingParty['party'], onBehalf: true };
  }
  if (!ownState) {
    if (hasRole(principal, 'secretariat')) {
      throw new AppException('VALIDATION_FAILED', 'Invalid input: partyId', [
        {
          field: 'partyId',
          messages: [`partyId is required when the secretariat files a ${what}`],
        },
      ]);
    }
    throw new AppException(
      'FORBIDDEN',
      `Only a State's national contact or the secretariat may file a ${what}`,
    );
  }
  const party = await m.findOne(Party, { where: { id: principal.partyId! } });
  if (!party || party.type !== 'state' || !party.active || !party.countryCode) {
    throw new AppException('FORBIDDEN', `Only a State's national contact may file a ${what}`);
  }
  return { party: party as FilingParty['party'], onBehalf: false };
}
