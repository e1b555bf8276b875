import { Injectable } from '@nestjs/common';
import { ClsService } from 'nestjs-cls';
import { EntityManager } from 'typeorm';
import type { RequestContext } from '../../common/context/request-context';
import { OutboxEvent } from './outbox-event.entity';

export interface ChangeEvent {
  type: string;
  entityType: string;
  entityId: string;
  version: number;
  partyId?: string | null;
}

/**
 * Records a change event in the caller's transaction (pass its EntityManager): the event
 * exists exactly when the change does, whether or not Redis is up. The relay publishes it.
 */
@Injectable()
export class OutboxService {
  constructor(private readonly cls: ClsService<RequestContext>) {}

  async add(manager: EntityManager, event: ChangeEvent): Promise<void> {
    await manager.insert(OutboxEvent, {
      type: event.type,
      entityType: event.entityType,
      entityId: event.entityId,
      version: event.version,
      partyId: event.partyId ?? null,
      requestId: (this.cls.isActive() && this.cls.get('requestId')) || null,
    });
  }
}
