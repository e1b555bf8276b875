import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { NeedsModule } from '../needs/needs.module';
import { OffersModule } from '../offers/offers.module';
import { ReferenceModule } from '../reference/reference.module';
import { AlertDetectorService } from './alert-detector.service';
import { AlertsController } from './alerts.controller';
import { AlertsService } from './alerts.service';
import { CoordinationAlert } from './coordination-alert.entity';
import { CoordinationExportsController } from './coordination-exports.controller';
import { CoverageChartController } from './coverage-chart.controller';
import { CoverageController } from './coverage.controller';
import { CoverageService } from './coverage.service';

/**
 * Donor coordination (issue 10): coverage and gaps per slice, the coverage chart, CSV and IATI
 * exports, and alerts on over-commitment, overlapping donors and exceeded envelopes.
 * (AuditModule and OutboxModule are global.) Allocations live in their own module.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([CoordinationAlert]),
    NeedsModule,
    OffersModule,
    ReferenceModule,
  ],
  controllers: [
    CoverageController,
    CoverageChartController,
    CoordinationExportsController,
    AlertsController,
  ],
  providers: [CoverageService, AlertsService, AlertDetectorService],
  exports: [CoverageService, AlertsService, AlertDetectorService],
})
export class CoordinationModule {}
