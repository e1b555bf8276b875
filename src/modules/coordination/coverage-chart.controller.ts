import { Controller, Get, Header, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiForbiddenResponse,
  ApiOkResponse,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import { Roles } from '../../common/access/access.decorators';
import { CurrentPrincipal } from '../../common/access/current-principal.decorator';
import type { Principal } from '../../common/access/roles';
import { todayUtc } from '../exchange-rates/calendar-date';
import { renderCoverageChart } from './coverage-chart';
import { CoverageService } from './coverage.service';
import { CoverageSliceQueryDto } from './dto/coverage.dto';

/** "State SLE · control area 05", or what the caller sees when no filter is given. */
export function describeSlice(query: CoverageSliceQueryDto, principal: Principal): string {
  const parts: string[] = [];
  const add = (label: string, value: string | number | undefined) => {
    if (value !== undefined) parts.push(`${label} ${value}`);
  };
  add('State', query.state?.toUpperCase());
  add('region', query.region);
  add('group', query.group);
  add('control area', query.controlArea);
  add('assistance type', query.assistanceType);
  add('framework', query.framework);
  add('status', query.status);
  add('priority', query.priority);
  add('cost from USD', query.minCost);
  add('cost up to USD', query.maxCost);
  add('from', query.from);
  add('to', query.to);
  if (parts.length) return parts.join(' · ');
  const all = principal.roles.some((r) => r === 'secretariat' || r === 'donor_focal_point');
  return all ? 'All needs visible to you' : "Your State's needs";
}

@ApiTags('coordination')
@Controller('coordination/charts')
export class CoverageChartController {
  constructor(private readonly coverage: CoverageService) {}

  /** Declared vs covered (USD) by region and by control area, as an SVG slide (1600×900). */
  @Get('coverage.svg')
  @Roles('secretariat', 'donor_focal_point', 'national_contact')
  @Header('Content-Type', 'image/svg+xml; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  @ApiProduces('image/svg+xml')
  @ApiOkResponse({
    description:
      'Bar chart drawn by Apache ECharts (server-side SVG): declared needs and what commitments cover, in USD, by region and by control-area series, for the same slice filters and visibility as /coordination/coverage',
    content: { 'image/svg+xml': { schema: { type: 'string' } } },
  })
  @ApiBadRequestResponse({ description: 'Invalid or unknown filter value (UNKNOWN_FILTER_VALUE)' })
  @ApiForbiddenResponse({ description: "A State's national contact asking for another State" })
  async svg(
    @CurrentPrincipal() principal: Principal,
    @Query() query: CoverageSliceQueryDto,
  ): Promise<string> {
    const figures = await this.coverage.figures(principal, query);
    return renderCoverageChart(figures, {
      slice: describeSlice(query, principal),
      generatedOn: todayUtc(),
    });
  }
}
