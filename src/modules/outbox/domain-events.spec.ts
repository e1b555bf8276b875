import { DomainEvent, DomainEventBus } from './domain-events';

const event = (type: string): DomainEvent => ({
  outboxId: '1',
  type,
  entityType: type.split('.')[0],
  entityId: '00000000-0000-4000-8000-000000000000',
  version: 1,
  partyId: null,
  occurredAt: new Date(0).toISOString(),
});

describe('DomainEventBus', () => {
  it('matches exact types, prefixes and everything', () => {
    expect(DomainEventBus.matches('need.published', 'need.published')).toBe(true);
    expect(DomainEventBus.matches('need.*', 'need.published')).toBe(true);
    expect(DomainEventBus.matches('need.*', 'needle.published')).toBe(false);
    expect(DomainEventBus.matches('offer.*', 'need.published')).toBe(false);
    expect(DomainEventBus.matches('*', 'offer.updated')).toBe(true);
  });

  it('runs every matching handler in order, the others too when one fails, and skips those done', async () => {
    const bus = new DomainEventBus();
    const seen: string[] = [];
    bus.subscribe('need.*', 'a', async (e) => void seen.push(`a:${e.type}`));
    const unsubscribe = bus.subscribe(
      'need.published',
      'b',
      async (e) => void seen.push(`b:${e.type}`),
    );
    expect(await bus.dispatch(event('need.published'))).toEqual({
      ran: ['a@need.*', 'b@need.published'],
      failed: [],
    });
    expect(await bus.dispatch(event('offer.updated'))).toEqual({ ran: [], failed: [] });
    unsubscribe();
    expect((await bus.dispatch(event('need.published'))).ran).toEqual(['a@need.*']);

    let failures = 1;
    const flaky = new DomainEventBus();
    flaky.subscribe('need.*', 'first', async () => {
      if (failures-- > 0) throw new Error('boom');
      seen.push('first');
    });
    flaky.subscribe('need.*', 'second', async () => void seen.push('second'));
    const attempt = await flaky.dispatch(event('need.updated'));
    expect(attempt.ran).toEqual(['second@need.*']);
    expect(attempt.failed.map((f) => [f.key, f.error.message])).toEqual([['first@need.*', 'boom']]);
    // The retry runs only the one that failed.
    const retry = await flaky.dispatch(event('need.updated'), new Set(attempt.ran));
    expect(retry).toEqual({ ran: ['first@need.*'], failed: [] });
    expect(seen).toEqual([
      'a:need.published',
      'b:need.published',
      'a:need.published',
      'second',
      'first',
    ]);
  });
});
