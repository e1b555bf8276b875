import { Injectable, Logger } from '@nestjs/common';
import type { JobPayloads } from '../../queue/queue.registry';

export type DomainEvent = JobPayloads['events.domain-event'];
export type DomainEventHandler = (event: DomainEvent) => Promise<void>;

/**
 * Fan-out of published change events to the modules that react to them (matching,
 * notifications). A pattern is an exact type (`need.published`) or a prefix (`need.*`, `*`).
 * Handlers must be idempotent: an event can be delivered more than once.
 */
@Injectable()
export class DomainEventBus {
  private readonly logger = new Logger('DomainEventBus');
  private readonly handlers: { pattern: string; name: string; handle: DomainEventHandler }[] = [];

  subscribe(pattern: string, name: string, handle: DomainEventHandler): () => void {
    const entry = { pattern, name, handle };
    this.handlers.push(entry);
    return () => this.handlers.splice(this.handlers.indexOf(entry), 1);
  }

  static matches(pattern: string, type: string): boolean {
    if (pattern === '*' || pattern === type) return true;
    return pattern.endsWith('.*') && type.startsWith(pattern.slice(0, -1));
  }

  /** Runs every matching handler; a failure fails the job so BullMQ retries it. */
  async dispatch(event: DomainEvent): Promise<string[]> {
    const ran: string[] = [];
    for (const h of this.handlers.filter((h) => DomainEventBus.matches(h.pattern, event.type))) {
      await h.handle(event);
      ran.push(h.name);
    }
    if (!ran.length) this.logger.debug(`No subscriber for ${event.type}`);
    return ran;
  }
}
