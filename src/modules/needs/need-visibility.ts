import { hasRole, Principal } from '../../common/access/roles';
import { PRIVATE_NEED_STATUSES } from './need-lifecycle';

export const NEED_VISIBILITY_TIERS = ['public', 'donors', 'secretariat'] as const;
export type NeedVisibility = (typeof NEED_VISIBILITY_TIERS)[number];

export interface SqlFragment {
  sql: string;
  params: Record<string, unknown>;
}

/** The secretariat (and jobs of the system) see every need. */
export function seesAllNeeds(principal: Principal): boolean {
  return principal.kind === 'system' || hasRole(principal, 'secretariat');
}

/** The tiers whose published needs a caller outside the owning State may read. */
export function visibleTiers(principal: Principal): NeedVisibility[] {
  if (seesAllNeeds(principal)) return [...NEED_VISIBILITY_TIERS];
  return hasRole(principal, 'donor_focal_point') ? ['public', 'donors'] : ['public'];
}

/**
 * A WHERE fragment (TypeORM named parameters) admitting exactly the needs `principal` may see:
 * its own party's needs always; every need for the secretariat; otherwise needs past review
 * (not draft, submitted, under_review or withdrawn) at a tier the caller holds, and only once
 * it circulates (a need filed on a State's behalf waits for consent or the no-objection
 * deadline: `consent_status = 'pending'`). Every read path (get, list, count, and the lock
 * before a change) adds it to its query.
 */
export function needVisibilityWhere(principal: Principal, alias = 'n'): SqlFragment {
  if (seesAllNeeds(principal)) return { sql: 'TRUE', params: {} };
  const params: Record<string, unknown> = {
    visPrivateStatuses: [...PRIVATE_NEED_STATUSES],
    visTiers: visibleTiers(principal),
  };
  const byTier = `(${alias}.status NOT IN (:...visPrivateStatuses) AND ${alias}.visibility IN (:...visTiers) AND ${alias}.consent_status IS DISTINCT FROM 'pending')`;
  if (!principal.partyId) return { sql: byTier, params };
  params.visPartyId = principal.partyId;
  return { sql: `(${alias}.party_id = :visPartyId OR ${byTier})`, params };
}

/** The same rule for one loaded row (used by tests and in-memory checks). */
export function canSeeNeed(
  principal: Principal,
  need: { partyId: string; status: string; visibility: string; consentStatus?: string | null },
): boolean {
  if (seesAllNeeds(principal)) return true;
  if (principal.partyId && need.partyId === principal.partyId) return true;
  if ((PRIVATE_NEED_STATUSES as readonly string[]).includes(need.status)) return false;
  if (need.consentStatus === 'pending') return false;
  return (visibleTiers(principal) as string[]).includes(need.visibility);
}
