import { AppException } from '../../common/errors';
import { MATCH_STATUSES, MatchStatus } from '../matching/match-suggestion.entity';
import {
  allowedMatchTransitions,
  MATCH_TRANSITION_NAMES,
  MATCH_TRANSITIONS,
  mayFire,
  nextMatchStatus,
} from './match-lifecycle';

/** The contract's table ("Matches"), written out independently of the implementation. */
const CONTRACT: Record<string, { who: string[]; from: MatchStatus[]; to: MatchStatus }> = {
  shortlist: { who: ['secretariat'], from: ['suggested'], to: 'shortlisted' },
  propose: { who: ['secretariat'], from: ['suggested', 'shortlisted'], to: 'proposed' },
  interest: {
    who: ['state', 'donor'],
    from: ['suggested', 'shortlisted', 'proposed'],
    to: 'agreed',
  },
  decline: {
    who: ['state', 'donor', 'secretariat'],
    from: ['suggested', 'shortlisted', 'proposed', 'agreed'],
    to: 'declined',
  },
  commit: { who: ['donor'], from: ['agreed'], to: 'committed' },
  start: { who: ['donor', 'secretariat'], from: ['committed'], to: 'in_delivery' },
  deliver: { who: ['donor', 'secretariat'], from: ['in_delivery'], to: 'delivered' },
  close: { who: ['secretariat'], from: ['delivered', 'declined'], to: 'closed' },
};

describe('match lifecycle table', () => {
  it('has exactly the contract transitions', () => {
    expect([...MATCH_TRANSITION_NAMES].sort()).toEqual(Object.keys(CONTRACT).sort());
  });

  it.each(Object.entries(CONTRACT))('%s: who, from and to as in the contract', (name, rule) => {
    const t = MATCH_TRANSITIONS[name as keyof typeof MATCH_TRANSITIONS];
    expect([...t.actors].sort()).toEqual([...rule.who].sort());
    expect([...t.from].sort()).toEqual([...rule.from].sort());
    expect(t.to).toBe(rule.to);
  });

  it('answers every (status, transition) pair: the target or 409 INVALID_TRANSITION', () => {
    for (const status of MATCH_STATUSES) {
      for (const name of MATCH_TRANSITION_NAMES) {
        const rule = CONTRACT[name];
        if (rule.from.includes(status)) {
          expect(nextMatchStatus(status, name)).toBe(rule.to);
        } else {
          let error: unknown;
          try {
            nextMatchStatus(status, name);
          } catch (e) {
            error = e;
          }
          expect(error).toBeInstanceOf(AppException);
          expect((error as AppException).status).toBe(409);
          expect((error as AppException).code).toBe('INVALID_TRANSITION');
          expect((error as AppException).details).toMatchObject({
            currentStatus: status,
            allowedTransitions: allowedMatchTransitions(status),
          });
        }
      }
    }
  });

  it('declining is possible at every step before committed, and never after', () => {
    const before = ['suggested', 'shortlisted', 'proposed', 'agreed'];
    for (const status of MATCH_STATUSES) {
      expect(allowedMatchTransitions(status).includes('decline')).toBe(before.includes(status));
    }
  });

  it('closed is terminal', () => {
    expect(allowedMatchTransitions('closed')).toEqual([]);
  });

  it('checks the actor against the table', () => {
    expect(mayFire('propose', ['secretariat'])).toBe(true);
    expect(mayFire('propose', ['state'])).toBe(false);
    expect(mayFire('interest', ['secretariat'])).toBe(false);
    expect(mayFire('commit', ['state'])).toBe(false);
    expect(mayFire('commit', ['donor'])).toBe(true);
    expect(mayFire('decline', ['state'])).toBe(true);
    expect(mayFire('start', [])).toBe(false);
  });
});
