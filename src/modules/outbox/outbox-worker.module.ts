import { Module } from '@nestjs/common';
import { DispatchDomainEventProcessor } from './jobs/dispatch-domain-event.processor';
import { OutboxRelayService } from './outbox-relay.service';

/** Worker only: the relay that publishes the outbox, and the processor that fans events out. */
@Module({
  providers: [OutboxRelayService, DispatchDomainEventProcessor],
  exports: [OutboxRelayService],
})
export class OutboxWorkerModule {}
