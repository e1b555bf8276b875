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

  /**
   * Runs every matching handler whose key (`name@pattern`) is not in `done`, in subscription
   * order, each one even when an earlier one fails: one module's failure does not hold the
   * others back. Returns the keys of those that succeeded, and the failures.
   */
  async dispatch(
    event: DomainEvent,
    done: ReadonlySet<string> = new Set(),
  ): Promise<{ ran: string[]; failed: { key: string; error: Error }[] }> {
    const ran: string[] = [];
    const failed: { key: string; error: Error }[] = [];
    const due = this.handlers.filter((h) => DomainEventBus.matches(h.pattern, event.type));
    if (!due.length) this.logger.debug(`No subscriber for ${event.type}`);
    for (const h of due) {
      const key = `${h.name}@${h.pattern}`;
      if (done.has(key)) continue;
      try {
        await h.handle(event);
        ran.push(key);
      } catch (error) {
        failed.push({ key, error: error instanceof Error ? error : new Error(String(error)) });
      }
    }
    return { ran, failed };
  }
}
