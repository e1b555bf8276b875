import { AppException } from '../../common/errors';

export const OFFER_STATUSES = ['draft', 'active', 'paused', 'exhausted', 'closed'] as const;
export type OfferStatus = (typeof OFFER_STATUSES)[number];

export const OFFER_TRANSITION_NAMES = ['activate', 'pause', 'resume', 'close'] as const;
export type OfferTransition = (typeof OFFER_TRANSITION_NAMES)[number];

/**
 * The offer lifecycle as data: each transition, the statuses it may start from, where it
 * leads and the change event it emits. `exhausted` is reached through commitments, not here.
 */
export const OFFER_LIFECYCLE: Readonly<
  Record<OfferTransition, { from: readonly OfferStatus[]; to: OfferStatus; event: string }>
> = {
  activate: { from: ['draft'], to: 'active', event: 'offer.activated' },
  pause: { from: ['active'], to: 'paused', event: 'offer.paused' },
  resume: { from: ['paused'], to: 'active', event: 'offer.resumed' },
  close: { from: ['draft', 'active', 'paused', 'exhausted'], to: 'closed', event: 'offer.closed' },
};

/** Statuses in which the offer's content may still be edited. */
export const OFFER_EDITABLE: readonly OfferStatus[] = ['draft', 'active', 'paused'];

/** The transitions allowed from a status. */
export function allowedOfferTransitions(status: OfferStatus): OfferTransition[] {
  return OFFER_TRANSITION_NAMES.filter((t) => OFFER_LIFECYCLE[t].from.includes(status));
}

/** The target status, or 409 INVALID_TRANSITION naming the current and allowed statuses. */
export function nextOfferStatus(current: OfferStatus, transition: OfferTransition): OfferStatus {
  const rule = OFFER_LIFECYCLE[transition];
  if (!rule.from.includes(current)) {
    throw new AppException(
      'INVALID_TRANSITION',
      `Cannot ${transition} an offer that is ${current}: ${transition} is allowed from ${rule.from.join(', ')}`,
      {
        transition,
        currentStatus: current,
        allowedFrom: rule.from,
        allowedTransitions: allowedOfferTransitions(current),
      },
    );
  }
  return rule.to;
}
