import { Controller, Get, HttpCode } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { Public } from '../../common/access/access.decorators';
import { AppException } from '../../common/errors';
import { ReadinessService } from './readiness.service';

@ApiTags('operations')
@Controller('health')
export class HealthController {
  constructor(private readonly readiness: ReadinessService) {}

  /** Liveness: the process is up and serving HTTP. */
  @Get()
  @Public()
  @HttpCode(200)
  @ApiOkResponse({ schema: { example: { status: 'ok' } } })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** Readiness: PostgreSQL and Redis reachable. 503 names each failing dependency. */
  @Get('ready')
  @Public()
  @ApiOkResponse({
    schema: { example: { status: 'ready', checks: { database: 'up', redis: 'up' } } },
  })
  @ApiServiceUnavailableResponse({
    description: 'A dependency is down; `details.failing` names it',
  })
  async ready(): Promise<{ status: 'ready'; checks: Record<string, string> }> {
    const report = await this.readiness.check();
    if (!report.ready) {
      throw new AppException('NOT_READY', `Not ready: ${report.failing.join(', ')} unreachable`, {
        failing: report.failing,
        checks: report.checks,
      });
    }
    return { status: 'ready', checks: report.checks };
  }
}
