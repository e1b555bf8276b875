import { Module } from '@nestjs/common';
import { MatchNeedProcessor, MatchOfferProcessor } from './jobs/match-record.processor';
import { ReconcileMatchesProcessor } from './jobs/reconcile-matches.processor';
import { RematchAllProcessor } from './jobs/rematch-all.processor';
import { RematchChunkProcessor } from './jobs/rematch-chunk.processor';
import { RematchOffersProcessor } from './jobs/rematch-offers.processor';
import { MatchingWorkerService } from './matching-worker.service';
import { MatchingModule } from './matching.module';

/** Worker only: matching processors, the change-event subscription and the reconciler schedule. */
@Module({
  imports: [MatchingModule],
  providers: [
    MatchNeedProcessor,
    MatchOfferProcessor,
    ReconcileMatchesProcessor,
    RematchAllProcessor,
    RematchChunkProcessor,
    RematchOffersProcessor,
    MatchingWorkerService,
  ],
})
export class MatchingWorkerModule {}
