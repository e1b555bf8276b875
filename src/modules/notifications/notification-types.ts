/**
 * Every kind of notification, who receives it and how by default. A side is a set of users:
 * `state` = national contacts of the need's State party, `donor` = donor focal points of the
 * offer's party (only if they may see the need), `secretariat` = every secretariat user,
 * `party` = every user of one party. The acting user is never told about their own action.
 */
export type AudienceSide = 'state' | 'donor' | 'secretariat' | 'party';

export interface NotificationTypeRule {
  /** Who receives it (documentation; the event translator picks the sides). */
  audience: string;
  /** Default e-mail mode: immediately, or gathered in the daily digest. */
  emailMode: 'immediate' | 'digest';
  /** Whether parties may subscribe webhook endpoints to it. */
  webhook: boolean;
}

export const NOTIFICATION_TYPES = {
  'match.suggested': {
    audience:
      'state, donor and secretariat, for a new suggestion scoring at least NOTIFY_SUGGESTION_MIN_SCORE',
    emailMode: 'digest',
    webhook: true,
  },
  'match.shortlisted': { audience: 'state and donor', emailMode: 'immediate', webhook: true },
  'match.proposed': { audience: 'state and donor', emailMode: 'immediate', webhook: true },
  'match.interest': {
    audience: 'the other side and the secretariat',
    emailMode: 'immediate',
    webhook: true,
  },
  'match.agreed': {
    audience: 'state, donor and secretariat',
    emailMode: 'immediate',
    webhook: true,
  },
  'match.declined': {
    audience: 'state, donor and secretariat',
    emailMode: 'immediate',
    webhook: true,
  },
  'match.committed': {
    audience: 'state, donor and secretariat',
    emailMode: 'immediate',
    webhook: true,
  },
  'match.comment_added': {
    audience: 'state, donor and secretariat',
    emailMode: 'immediate',
    webhook: true,
  },
  'match.delivery_started': {
    audience: 'state, donor and secretariat',
    emailMode: 'immediate',
    webhook: true,
  },
  'match.delivered': {
    audience: 'state, donor and secretariat',
    emailMode: 'immediate',
    webhook: true,
  },
  'match.closed': {
    audience: 'state, donor and secretariat',
    emailMode: 'immediate',
    webhook: true,
  },
  'need.submitted': {
    audience: 'secretariat (a need to review)',
    emailMode: 'digest',
    webhook: true,
  },
  'need.published': {
    audience: 'state (its need now circulates; the secretariat published it)',
    emailMode: 'immediate',
    webhook: true,
  },
  'need.returned': {
    audience: 'state (the secretariat returned its need to draft, with a note)',
    emailMode: 'immediate',
    webhook: true,
  },
  'need.consent_requested': {
    audience: 'state (a need the secretariat filed on its behalf awaits consent)',
    emailMode: 'immediate',
    webhook: true,
  },
  'need.expired': { audience: 'state and secretariat', emailMode: 'immediate', webhook: true },
  'follow_up.agreement': {
    audience: 'state and donor, every FOLLOW_UP_AGREEMENT_DAYS after agreement',
    emailMode: 'immediate',
    webhook: true,
  },
  'follow_up.stale_need': {
    audience: 'secretariat, every FOLLOW_UP_STALE_NEED_DAYS a published need has no agreed match',
    emailMode: 'immediate',
    webhook: true,
  },
  'coordination.alert.raised': {
    audience: 'secretariat',
    emailMode: 'immediate',
    webhook: true,
  },
  'webhook.disabled': {
    audience: "the endpoint's party (every user)",
    emailMode: 'immediate',
    webhook: false,
  },
} as const satisfies Record<string, NotificationTypeRule>;

export type NotificationType = keyof typeof NOTIFICATION_TYPES;
export const NOTIFICATION_TYPE_NAMES = Object.keys(NOTIFICATION_TYPES) as NotificationType[];
export const WEBHOOK_EVENT_TYPES = NOTIFICATION_TYPE_NAMES.filter(
  (t) => NOTIFICATION_TYPES[t].webhook,
);

/** The daily digest is an e-mail event of its own (not a preference). */
export const DIGEST_TYPE = 'digest';

export interface ChannelPreference {
  inApp: boolean;
  email: boolean;
  emailMode: 'immediate' | 'digest';
}

export function defaultPreference(type: NotificationType): ChannelPreference {
  return { inApp: true, email: true, emailMode: NOTIFICATION_TYPES[type].emailMode };
}
