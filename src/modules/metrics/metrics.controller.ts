import { Controller, Get, Header, Req } from '@nestjs/common';
import { ApiOkResponse, ApiProduces, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { Request } from 'express';
import { timingSafeEqual } from 'node:crypto';
import { MetricsToken } from '../../common/access/access.decorators';
import { AppException } from '../../common/errors';
import { AppConfig } from '../../config/app-config';
import { MetricsService } from './metrics.service';

@ApiTags('operations')
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: MetricsService,
    private readonly config: AppConfig,
  ) {}

  /** Prometheus exposition. When METRICS_TOKEN is set, send it as `Authorization: Bearer …`. */
  @Get()
  @MetricsToken()
  @Header('Cache-Control', 'no-store')
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: 'Prometheus text format' })
  @ApiUnauthorizedResponse({
    description: 'METRICS_TOKEN is set and the bearer token is missing or wrong',
  })
  async scrape(@Req() req: Request): Promise<string> {
    const expected = this.config.env.METRICS_TOKEN;
    if (expected) {
      const given = (req.header('authorization') ?? '').replace(/^Bearer\s+/i, '');
      const a = Buffer.from(given);
      const b = Buffer.from(expected);
      if (a.length !== b.length || !timingSafeEqual(a, b)) {
        throw new AppException('UNAUTHENTICATED', 'A valid metrics token is required');
      }
    }
    req.res?.type(this.metrics.registry.contentType);
    return this.metrics.registry.metrics();
  }
}
