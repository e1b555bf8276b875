import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DomainEventBus } from './domain-events';
import { OutboxEvent } from './outbox-event.entity';
import { OutboxService } from './outbox.service';

/** Writing change events (every process) and reacting to them (the worker). */
@Global()
@Module({
  imports: [TypeOrmModule.forFeature([OutboxEvent])],
  providers: [OutboxService, DomainEventBus],
  exports: [OutboxService, DomainEventBus],
})
export class OutboxModule {}
