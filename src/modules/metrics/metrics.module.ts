import { Module } from '@nestjs/common';
import { MetricsController } from './metrics.controller';
import { HttpMetricsMiddleware } from './metrics.middleware';
import { MetricsService } from './metrics.service';

/** `/metrics`, and the request timing middleware the API mounts on every request (bootstrap). */
@Module({
  controllers: [MetricsController],
  providers: [MetricsService, HttpMetricsMiddleware],
  exports: [MetricsService, HttpMetricsMiddleware],
})
export class MetricsModule {}
