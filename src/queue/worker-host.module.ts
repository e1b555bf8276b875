import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { WorkerHostService } from './worker-host.service';

@Module({
  imports: [DiscoveryModule],
  providers: [WorkerHostService],
  exports: [WorkerHostService],
})
export class WorkerHostModule {}
