import { AppException } from '../../common/errors';

export const NEED_STATUSES = [
  'draft',
  'submitted',
  'under_review',
  'published',
  'partially_covered',
  'covered',
  'closed',
  'withdrawn',
  'expired',
] as const;
export type NeedStatus = (typeof NEED_STATUSES)[number];

/** Open needs are the ones the matching engine considers. */
export const OPEN_NEED_STATUSES: readonly NeedStatus[] = ['published', 'partially_covered'];

/** Statuses in which a need is seen only by its own party and the secretariat. */
export const PRIVATE_NEED_STATUSES: readonly NeedStatus[] = [
  'draft',
  'submitted',
  'under_review',
  'withdrawn',
];

/** Statuses in which the owner or the secretariat may still PATCH a need. */
export const EDITABLE_NEED_STATUSES: readonly NeedStatus[] = ['draft', 'submitted', 'under_review'];

/**
 * Who may fire a transition: `owner` = a national contact of the need's State (and the
 * secretariat for a need it filed on the State's behalf); `secretariat`; or either.
 */
export type TransitionActor = 'owner' | 'secretariat' | 'owner_or_secretariat';

export interface NeedTransition {
  from: readonly NeedStatus[];
  to: NeedStatus;
  actor: TransitionActor;
  /** Outbox event type written when it happens. */
  event: string;
  /** The transition takes a note (stored in `status_note`). */
  note?: 'required';
}

/** The need lifecycle (API contract, "Needs, plans, offers"): the one table every check reads. */
export const NEED_TRANSITIONS = {
  submit: { from: ['draft'], to: 'submitted', actor: 'owner', event: 'need.submitted' },
  review: {
    from: ['submitted'],
    to: 'under_review',
    actor: 'secretariat',
    event: 'need.under_review',
  },
  publish: {
    from: ['submitted', 'under_review'],
    to: 'published',
    actor: 'secretariat',
    event: 'need.published',
  },
  return: {
    from: ['submitted', 'under_review'],
    to: 'draft',
    actor: 'secretariat',
    event: 'need.returned',
    note: 'required',
  },
  withdraw: {
    from: ['draft', 'submitted', 'under_review', 'published', 'partially_covered'],
    to: 'withdrawn',
    actor: 'owner_or_secretariat',
    event: 'need.withdrawn',
  },
  close: {
    from: ['published', 'partially_covered', 'covered'],
    to: 'closed',
    actor: 'secretariat',
    event: 'need.closed',
  },
} as const satisfies Record<string, NeedTransition>;

export type NeedTransitionName = keyof typeof NEED_TRANSITIONS;
export const NEED_TRANSITION_NAMES = Object.keys(NEED_TRANSITIONS) as NeedTransitionName[];

/** The transitions that may be fired from `status`. */
export function allowedTransitions(status: NeedStatus): NeedTransitionName[] {
  return NEED_TRANSITION_NAMES.filter((name) =>
    (NEED_TRANSITIONS[name].from as readonly NeedStatus[]).includes(status),
  );
}

/** The target status, or 409 INVALID_TRANSITION naming the current status and what is allowed. */
export function nextStatus(current: NeedStatus, transition: NeedTransitionName): NeedStatus {
  const rule: NeedTransition = NEED_TRANSITIONS[transition];
  if (!rule.from.includes(current)) {
    const allowed = allowedTransitions(current);
    throw new AppException(
      'INVALID_TRANSITION',
      `Cannot ${transition} a need that is ${current}` +
        (allowed.length ? ` (allowed: ${allowed.join(', ')})` : ' (no transition is allowed)'),
      { currentStatus: current, transition, allowedTransitions: allowed, allowedFrom: rule.from },
    );
  }
  return rule.to;
}
