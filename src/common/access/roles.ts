export const ROLES = ['national_contact', 'donor_focal_point', 'secretariat', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const PARTY_TYPES = [
  'state',
  'international_organisation',
  'regional_organisation',
  'trust_fund',
  'ngo',
] as const;
export type PartyType = (typeof PARTY_TYPES)[number];

/** Who is acting: a signed-in user, a machine client with an API key, or a job of the system. */
export interface Principal {
  kind: 'user' | 'api_key' | 'system';
  userId: string | null;
  partyId: string | null;
  partyType: PartyType | null;
  roles: Role[];
  /** The refresh-token family (sign-in session) of a user principal. */
  sessionId?: string;
  apiKeyId?: string;
  /** The job a system principal acts for. */
  jobId?: string;
  /** Preferred language for messages sent to this principal. */
  language?: string;
}

export function hasRole(principal: Principal | undefined, ...roles: Role[]): boolean {
  return !!principal && principal.roles.some((r) => roles.includes(r));
}

export function systemPrincipal(jobId?: string): Principal {
  return { kind: 'system', userId: null, partyId: null, partyType: null, roles: [], jobId };
}
