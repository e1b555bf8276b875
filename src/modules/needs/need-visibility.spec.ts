import type { Principal, Role } from '../../common/access/roles';
import { NEED_STATUSES } from './need-lifecycle';
import { canSeeNeed, needVisibilityWhere, NEED_VISIBILITY_TIERS } from './need-visibility';

const principal = (roles: Role[], partyId: string | null = 'p-other'): Principal => ({
  kind: 'user',
  userId: 'u',
  partyId,
  partyType: 'state',
  roles,
});

describe('need visibility', () => {
  const owner = principal(['national_contact'], 'p-owner');
  const otherState = principal(['national_contact']);
  const donor = principal(['donor_focal_point'], 'p-fund');
  const secretariat = principal(['secretariat'], 'p-unoda');

  it('gives the secretariat and system jobs every need, with no condition', () => {
    expect(needVisibilityWhere(secretariat)).toEqual({ sql: 'TRUE', params: {} });
    expect(
      needVisibilityWhere({
        kind: 'system',
        userId: null,
        partyId: null,
        partyType: null,
        roles: [],
      }),
    ).toEqual({ sql: 'TRUE', params: {} });
  });

  it('admits own-party needs and published tiers the caller holds', () => {
    const frag = needVisibilityWhere(donor, 'x');
    expect(frag.sql).toContain('x.party_id = :visPartyId');
    expect(frag.sql).toContain('x.status NOT IN (:...visPrivateStatuses)');
    expect(frag.sql).toContain('x.visibility IN (:...visTiers)');
    expect(frag.params).toEqual({
      visPartyId: 'p-fund',
      visPrivateStatuses: ['draft', 'submitted', 'under_review', 'withdrawn'],
      visTiers: ['public', 'donors'],
    });
    expect(needVisibilityWhere(otherState).params.visTiers).toEqual(['public']);
  });

  it('leaves out the party clause for a caller without a party', () => {
    const frag = needVisibilityWhere(principal(['admin'], null));
    expect(frag.sql).not.toContain('party_id');
    expect(frag.params).not.toHaveProperty('visPartyId');
  });

  it('agrees with the row-level rule on every status and tier', () => {
    const table: Record<string, string[]> = {};
    for (const status of NEED_STATUSES) {
      for (const visibility of NEED_VISIBILITY_TIERS) {
        const need = { partyId: 'p-owner', status, visibility };
        const who = [owner, otherState, donor, secretariat]
          .map((p, i) => (canSeeNeed(p, need) ? ['owner', 'other', 'donor', 'sec'][i] : null))
          .filter(Boolean) as string[];
        table[`${status}/${visibility}`] = who;
      }
    }
    for (const status of ['draft', 'submitted', 'under_review', 'withdrawn']) {
      for (const v of NEED_VISIBILITY_TIERS)
        expect(table[`${status}/${v}`]).toEqual(['owner', 'sec']);
    }
    for (const status of ['published', 'partially_covered', 'covered', 'closed', 'expired']) {
      expect(table[`${status}/public`]).toEqual(['owner', 'other', 'donor', 'sec']);
      expect(table[`${status}/donors`]).toEqual(['owner', 'donor', 'sec']);
      expect(table[`${status}/secretariat`]).toEqual(['owner', 'sec']);
    }
  });
});
