import { AppException } from '../../common/errors';
import type { MatchStatus } from '../matching/match-suggestion.entity';

/** Who acts on a match: the need's State, the offer's donor, or the secretariat. */
export const MATCH_SIDES = ['state', 'donor', 'secretariat'] as const;
export type MatchSide = (typeof MATCH_SIDES)[number];

export const DECLINE_REASONS = [
  'out_of_scope',
  'no_budget',
  'duplicate',
  'timing',
  'other',
] as const;
export type DeclineReason = (typeof DECLINE_REASONS)[number];

export interface MatchTransition {
  from: readonly MatchStatus[];
  to: MatchStatus;
  /** Any of these may fire it. */
  actors: readonly MatchSide[];
  /** `interest`: the status changes only once both the State and the donor side have fired it. */
  bothSides?: true;
}

/**
 * The match workflow (API contract, "Matches"): the one table every check and the unit test
 * read. `decline` is allowed from any status before `committed`.
 */
export const MATCH_TRANSITIONS = {
  shortlist: { from: ['suggested'], to: 'shortlisted', actors: ['secretariat'] },
  propose: { from: ['suggested', 'shortlisted'], to: 'proposed', actors: ['secretariat'] },
  interest: {
    from: ['suggested', 'shortlisted', 'proposed'],
    to: 'agreed',
    actors: ['state', 'donor'],
    bothSides: true,
  },
  decline: {
    from: ['suggested', 'shortlisted', 'proposed', 'agreed'],
    to: 'declined',
    actors: ['state', 'donor', 'secretariat'],
  },
  commit: { from: ['agreed'], to: 'committed', actors: ['donor'] },
  start: { from: ['committed'], to: 'in_delivery', actors: ['donor', 'secretariat'] },
  deliver: { from: ['in_delivery'], to: 'delivered', actors: ['donor', 'secretariat'] },
  close: { from: ['delivered', 'declined'], to: 'closed', actors: ['secretariat'] },
} as const satisfies Record<string, MatchTransition>;

export type MatchTransitionName = keyof typeof MATCH_TRANSITIONS;
export const MATCH_TRANSITION_NAMES = Object.keys(MATCH_TRANSITIONS) as MatchTransitionName[];

/** The transitions that may be fired from `status`. */
export function allowedMatchTransitions(status: MatchStatus): MatchTransitionName[] {
  return MATCH_TRANSITION_NAMES.filter((name) =>
    (MATCH_TRANSITIONS[name].from as readonly MatchStatus[]).includes(status),
  );
}

/** Whether one of the caller's sides may fire the transition (status aside). */
export function mayFire(name: MatchTransitionName, sides: readonly MatchSide[]): boolean {
  const actors: readonly MatchSide[] = MATCH_TRANSITIONS[name].actors;
  return sides.some((s) => actors.includes(s));
}

const WHO: Record<MatchSide, string> = {
  state: "the need's State (its national contacts)",
  donor: "the offer's donor (its focal points)",
  secretariat: 'the secretariat',
};

/** 403 naming who may fire the transition. */
export function forbiddenTransition(name: MatchTransitionName): AppException {
  const actors: readonly MatchSide[] = MATCH_TRANSITIONS[name].actors;
  return new AppException(
    'FORBIDDEN',
    `Only ${actors.map((a) => WHO[a]).join(' or ')} may ${name} this match`,
    { transition: name, allowedActors: actors },
  );
}

/** The target status, or 409 INVALID_TRANSITION naming the current status and what is allowed. */
export function nextMatchStatus(current: MatchStatus, name: MatchTransitionName): MatchStatus {
  const rule: MatchTransition = MATCH_TRANSITIONS[name];
  if (!rule.from.includes(current)) {
    const allowed = allowedMatchTransitions(current);
    throw new AppException(
      'INVALID_TRANSITION',
      `Cannot ${name} a match that is ${current}` +
        (allowed.length ? ` (allowed: ${allowed.join(', ')})` : ' (no transition is allowed)'),
      {
        currentStatus: current,
        transition: name,
        allowedTransitions: allowed,
        allowedFrom: rule.from,
      },
    );
  }
  return rule.to;
}
