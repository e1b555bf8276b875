import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ReferenceModule } from '../reference/reference.module';
import { AllocationRun } from './allocation-run.entity';
import { AllocationController } from './allocation.controller';
import { AllocationService } from './allocation.service';

/** Allocation proposals (the API records and queues runs; the worker solves them). */
@Module({
  imports: [TypeOrmModule.forFeature([AllocationRun]), ReferenceModule],
  controllers: [AllocationController],
  providers: [AllocationService],
  exports: [AllocationService],
})
export class AllocationModule {}
