import { AppException } from '../../common/errors';
import type { PlanStatus } from './plan.entity';

/** Plan transitions (owner or secretariat); the one table every check reads. */
export const PLAN_TRANSITIONS = {
  adopt: { from: ['draft', 'under_revision'], to: 'adopted', event: 'plan.adopted' },
  revise: { from: ['adopted'], to: 'under_revision', event: 'plan.revised' },
  close: { from: ['adopted', 'under_revision'], to: 'closed', event: 'plan.closed' },
} as const satisfies Record<string, { from: readonly PlanStatus[]; to: PlanStatus; event: string }>;

export type PlanTransitionName = keyof typeof PLAN_TRANSITIONS;

/** A plan's content may change while it is a draft or under revision. */
export const EDITABLE_PLAN_STATUSES: readonly PlanStatus[] = ['draft', 'under_revision'];

export function allowedPlanTransitions(status: PlanStatus): PlanTransitionName[] {
  return (Object.keys(PLAN_TRANSITIONS) as PlanTransitionName[]).filter((t) =>
    (PLAN_TRANSITIONS[t].from as readonly PlanStatus[]).includes(status),
  );
}

export function nextPlanStatus(current: PlanStatus, transition: PlanTransitionName): PlanStatus {
  const rule = PLAN_TRANSITIONS[transition];
  if (!(rule.from as readonly PlanStatus[]).includes(current)) {
    const allowed = allowedPlanTransitions(current);
    throw new AppException(
      'INVALID_TRANSITION',
      `Cannot ${transition} a plan that is ${current}` +
        (allowed.length ? ` (allowed: ${allowed.join(', ')})` : ' (no transition is allowed)'),
      { currentStatus: current, transition, allowedTransitions: allowed, allowedFrom: rule.from },
    );
  }
  return rule.to;
}
