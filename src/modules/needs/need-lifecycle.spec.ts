import { AppException } from '../../common/errors';
import {
  allowedTransitions,
  NEED_STATUSES,
  NEED_TRANSITION_NAMES,
  NEED_TRANSITIONS,
  NeedStatus,
  nextStatus,
} from './need-lifecycle';

describe('need lifecycle', () => {
  it('is exactly the contract table', () => {
    expect(NEED_TRANSITIONS).toEqual({
      submit: expect.objectContaining({ from: ['draft'], to: 'submitted', actor: 'owner' }),
      review: expect.objectContaining({
        from: ['submitted'],
        to: 'under_review',
        actor: 'secretariat',
      }),
      publish: expect.objectContaining({
        from: ['submitted', 'under_review'],
        to: 'published',
        actor: 'secretariat',
      }),
      return: expect.objectContaining({
        from: ['submitted', 'under_review'],
        to: 'draft',
        actor: 'secretariat',
      }),
      withdraw: expect.objectContaining({
        from: ['draft', 'submitted', 'under_review', 'published', 'partially_covered'],
        to: 'withdrawn',
        actor: 'owner_or_secretariat',
      }),
      close: expect.objectContaining({
        from: ['published', 'partially_covered', 'covered'],
        to: 'closed',
        actor: 'secretariat',
      }),
    });
  });

  it('answers the target status for every allowed pair and 409 for every other', () => {
    for (const status of NEED_STATUSES) {
      for (const name of NEED_TRANSITION_NAMES) {
        const rule = NEED_TRANSITIONS[name];
        if ((rule.from as readonly NeedStatus[]).includes(status)) {
          expect(nextStatus(status, name)).toBe(rule.to);
        } else {
          let error: unknown;
          try {
            nextStatus(status, name);
          } catch (e) {
            error = e;
          }
          expect(error).toBeInstanceOf(AppException);
          const app = error as AppException;
          expect(app.status).toBe(409);
          expect(app.code).toBe('INVALID_TRANSITION');
          expect(app.details).toMatchObject({
            currentStatus: status,
            allowedTransitions: allowedTransitions(status),
          });
        }
      }
    }
  });

  it('lists what each status allows', () => {
    expect(allowedTransitions('draft')).toEqual(['submit', 'withdraw']);
    expect(allowedTransitions('submitted')).toEqual(['review', 'publish', 'return', 'withdraw']);
    expect(allowedTransitions('under_review')).toEqual(['publish', 'return', 'withdraw']);
    expect(allowedTransitions('published')).toEqual(['withdraw', 'close']);
    expect(allowedTransitions('covered')).toEqual(['close']);
    expect(allowedTransitions('closed')).toEqual([]);
    expect(allowedTransitions('withdrawn')).toEqual([]);
    expect(allowedTransitions('expired')).toEqual([]);
  });
});
