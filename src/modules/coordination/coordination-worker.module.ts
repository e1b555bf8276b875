import { Module } from '@nestjs/common';
import { CoordinationModule } from './coordination.module';
import { CoordinationWorkerService } from './coordination-worker.service';
import { SweepAlertsProcessor } from './jobs/sweep-alerts.processor';

/** Worker only: alert detection on commitments and the periodic sweep. */
@Module({
  imports: [CoordinationModule],
  providers: [SweepAlertsProcessor, CoordinationWorkerService],
})
export class CoordinationWorkerModule {}
