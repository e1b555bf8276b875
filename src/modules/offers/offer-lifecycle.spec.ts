import { AppException } from '../../common/errors';
import {
  allowedOfferTransitions,
  nextOfferStatus,
  OFFER_LIFECYCLE,
  OFFER_STATUSES,
  OFFER_TRANSITION_NAMES,
  OfferStatus,
  OfferTransition,
} from './offer-lifecycle';

describe('offer lifecycle', () => {
  const expected: Record<OfferTransition, Partial<Record<OfferStatus, OfferStatus>>> = {
    activate: { draft: 'active' },
    pause: { active: 'paused' },
    resume: { paused: 'active' },
    close: { draft: 'closed', active: 'closed', paused: 'closed', exhausted: 'closed' },
  };

  it.each(OFFER_TRANSITION_NAMES.flatMap((t) => OFFER_STATUSES.map((s) => [t, s] as const)))(
    '%s from %s',
    (transition, status) => {
      const to = expected[transition][status];
      if (to) {
        expect(nextOfferStatus(status, transition)).toBe(to);
      } else {
        let error: unknown;
        try {
          nextOfferStatus(status, transition);
        } catch (e) {
          error = e;
        }
        expect(error).toBeInstanceOf(AppException);
        expect((error as AppException).code).toBe('INVALID_TRANSITION');
        expect((error as AppException).status).toBe(409);
        expect((error as AppException).details).toMatchObject({
          currentStatus: status,
          allowedFrom: OFFER_LIFECYCLE[transition].from,
        });
      }
    },
  );

  it('lists the transitions allowed from each status', () => {
    expect(allowedOfferTransitions('draft')).toEqual(['activate', 'close']);
    expect(allowedOfferTransitions('active')).toEqual(['pause', 'close']);
    expect(allowedOfferTransitions('paused')).toEqual(['resume', 'close']);
    expect(allowedOfferTransitions('exhausted')).toEqual(['close']);
    expect(allowedOfferTransitions('closed')).toEqual([]);
  });

  it('names a distinct change event for every transition', () => {
    const events = OFFER_TRANSITION_NAMES.map((t) => OFFER_LIFECYCLE[t].event);
    expect(new Set(events).size).toBe(events.length);
    expect(events.every((e) => e.startsWith('offer.'))).toBe(true);
  });
});
