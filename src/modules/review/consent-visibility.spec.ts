import type { Principal } from '../../common/access/roles';
import { canSeeNeed, needVisibilityWhere } from '../needs/need-visibility';

const user = (partyId: string, roles: Principal['roles']): Principal => ({
  kind: 'user',
  userId: 'u',
  partyId,
  partyType: null,
  roles,
});

describe('a need awaiting consent circulates to nobody but its State and the secretariat', () => {
  const need = {
    partyId: 'sle',
    status: 'published',
    visibility: 'public',
    consentStatus: 'pending',
  };

  it('in memory', () => {
    expect(canSeeNeed(user('sle', ['national_contact']), need)).toBe(true);
    expect(canSeeNeed(user('unoda', ['secretariat']), need)).toBe(true);
    expect(canSeeNeed(user('fund', ['donor_focal_point']), need)).toBe(false);
    expect(canSeeNeed(user('per', ['national_contact']), need)).toBe(false);
    for (const consentStatus of [null, 'given', 'no_objection'])
      expect(canSeeNeed(user('fund', ['donor_focal_point']), { ...need, consentStatus })).toBe(
        true,
      );
  });

  it('in the SQL fragment every read path uses', () => {
    expect(needVisibilityWhere(user('fund', ['donor_focal_point']), 'x').sql).toContain(
      "x.consent_status IS DISTINCT FROM 'pending'",
    );
  });
});
