import { Module } from '@nestjs/common';
import { AllocationModule } from './allocation.module';
import { SolveAllocationProcessor } from './jobs/solve-allocation.processor';

/** Worker only: the solve processor. */
@Module({ imports: [AllocationModule], providers: [SolveAllocationProcessor] })
export class AllocationWorkerModule {}
