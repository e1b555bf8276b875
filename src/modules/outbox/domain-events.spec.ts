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

  it('runs every matching handler in order and lets a failure through for a retry', async () => {
    const bus = new DomainEventBus();
    const seen: string[] = [];
    bus.subscribe('need.*', 'a', async (e) => void seen.push(`a:${e.type}`));
    const unsubscribe = bus.subscribe(
      'need.published',
      'b',
      async (e) => void seen.push(`b:${e.type}`),
    );
    expect(await bus.dispatch(event('need.published'))).toEqual(['a', 'b']);
    expect(await bus.dispatch(event('offer.updated'))).toEqual([]);
    unsubscribe();
    expect(await bus.dispatch(event('need.published'))).toEqual(['a']);
    bus.subscribe('need.*', 'failing', async () => {
      throw new Error('boom');
    });
    await expect(bus.dispatch(event('need.updated'))).rejects.toThrow('boom');
    expect(seen).toEqual([
      'a:need.published',
      'b:need.published',
      'a:need.published',
      'a:need.updated',
    ]);
  });
});
