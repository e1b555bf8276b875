import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { NeedsModule } from '../needs/needs.module';
import { OffersModule } from '../offers/offers.module';
import { PlansModule } from '../plans/plans.module';
import { ImportJob } from './import-job.entity';
import { ImportsController } from './imports.controller';
import { ImportsService } from './imports.service';

/** Bulk imports of needs, plans and offers (the API records and queues; the worker runs). */
@Module({
  imports: [TypeOrmModule.forFeature([ImportJob]), NeedsModule, OffersModule, PlansModule],
  controllers: [ImportsController],
  providers: [ImportsService],
  exports: [ImportsService],
})
export class ImportsModule {}
