import { AppException } from '../../common/errors';
import { allowedPlanTransitions, nextPlanStatus } from './plan-lifecycle';

describe('plan lifecycle', () => {
  it('adopts, revises and closes as the table says', () => {
    expect(nextPlanStatus('draft', 'adopt')).toBe('adopted');
    expect(nextPlanStatus('under_revision', 'adopt')).toBe('adopted');
    expect(nextPlanStatus('adopted', 'revise')).toBe('under_revision');
    expect(nextPlanStatus('adopted', 'close')).toBe('closed');
    expect(nextPlanStatus('under_revision', 'close')).toBe('closed');
  });

  it('refuses the rest with 409 INVALID_TRANSITION', () => {
    for (const [from, t] of [
      ['draft', 'revise'],
      ['draft', 'close'],
      ['adopted', 'adopt'],
      ['closed', 'adopt'],
      ['closed', 'revise'],
      ['closed', 'close'],
    ] as const) {
      expect(() => nextPlanStatus(from, t)).toThrow(AppException);
    }
    expect(allowedPlanTransitions('closed')).toEqual([]);
    expect(allowedPlanTransitions('adopted')).toEqual(['revise', 'close']);
  });
});
