import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { Authenticated, Roles } from '../../common/access/access.decorators';
import { CurrentPrincipal } from '../../common/access/current-principal.decorator';
import type { Principal } from '../../common/access/roles';
import { IdPipe } from '../../common/id.pipe';
import { etagOf, IfMatch } from '../../common/versioning';
import { ApiVersionedWrite } from '../../common/versioned-write.decorator';
import { CreatePlanDto, PlanDto, PlanPageDto, PlanQueryDto, UpdatePlanDto } from './dto/plan.dto';
import { PlanTransitionName } from './plan-lifecycle';
import { PlansService } from './plans.service';
import { PLAN_CSV } from '../search/export-columns';
import { pages, streamCsv, EXPORT_BATCH } from '../search/csv';
import { ApiCsvExport } from '../search/export.decorators';

const versioned = () => ApiVersionedWrite('plan');

@ApiTags('plans')
@Controller('plans')
export class PlansController {
  constructor(private readonly plans: PlansService) {}

  /** A State's national contact files its plan; the secretariat files one with `partyId`. */
  @Post()
  @Roles('national_contact', 'secretariat')
  @ApiCreatedResponse({ type: PlanDto })
  @ApiBadRequestResponse({ description: 'Invalid field (names each)' })
  @ApiUnprocessableEntityResponse({ description: 'Unknown control area codes or partyId' })
  async create(
    @CurrentPrincipal() principal: Principal,
    @Body() body: CreatePlanDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<PlanDto> {
    const plan = await this.plans.create(principal, body);
    res.setHeader('ETag', etagOf(plan.version));
    return plan;
  }

  /** Plans: a State's users see their own State's; donors and the secretariat see all. */
  @Get()
  @Authenticated()
  @ApiOkResponse({ type: PlanPageDto })
  @ApiBadRequestResponse({ description: 'Invalid or unknown filter value' })
  list(@CurrentPrincipal() principal: Principal, @Query() query: PlanQueryDto) {
    return this.plans.list(principal, query);
  }

  /** The filtered list as CSV (same filters, sort and visibility), streamed in batches. */
  @Get('export.csv')
  @Authenticated()
  @ApiCsvExport('Plans')
  async exportCsv(
    @CurrentPrincipal() principal: Principal,
    @Query() query: PlanQueryDto,
    @Res() res: Response,
  ): Promise<void> {
    const batches = pages(async (cursor) => {
      const page = await this.plans.listRows(principal, { ...query, cursor, limit: EXPORT_BATCH });
      return { items: await this.plans.withItems(page.items), nextCursor: page.nextCursor };
    });
    await streamCsv(res, 'plans.csv', PLAN_CSV, batches);
  }

  @Get(':id')
  @Authenticated()
  @ApiOkResponse({
    type: PlanDto,
    headers: { ETag: { description: 'The plan version', schema: { type: 'string' } } },
  })
  @ApiNotFoundResponse({ description: 'No such plan, or a draft of another party' })
  async get(
    @CurrentPrincipal() principal: Principal,
    @Param('id', IdPipe) id: string,
    @Res({ passthrough: true }) res: Response,
  ): Promise<PlanDto> {
    const plan = await this.plans.get(principal, id);
    res.setHeader('ETag', etagOf(plan.version));
    return plan;
  }

  /** Changes a draft or a plan under revision; `items`, when given, replaces the list. */
  @Patch(':id')
  @Authenticated()
  @versioned()
  @ApiOkResponse({ type: PlanDto })
  @ApiBadRequestResponse({ description: 'Invalid field (names each)' })
  @ApiUnprocessableEntityResponse({ description: 'Unknown control area codes or item ids' })
  async update(
    @CurrentPrincipal() principal: Principal,
    @Param('id', IdPipe) id: string,
    @Body() body: UpdatePlanDto,
    @IfMatch() ifMatch: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<PlanDto> {
    const plan = await this.plans.update(principal, id, body, ifMatch);
    res.setHeader('ETag', etagOf(plan.version));
    return plan;
  }

  /** draft or under_revision → adopted (owner or secretariat). */
  @Post(':id/adopt')
  @HttpCode(200)
  @Authenticated()
  @versioned()
  @ApiOkResponse({ type: PlanDto })
  adopt(
    @CurrentPrincipal() principal: Principal,
    @Param('id', IdPipe) id: string,
    @IfMatch() ifMatch: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<PlanDto> {
    return this.fire(principal, id, 'adopt', ifMatch, res);
  }

  /** adopted → under_revision (owner or secretariat). */
  @Post(':id/revise')
  @HttpCode(200)
  @Authenticated()
  @versioned()
  @ApiOkResponse({ type: PlanDto })
  revise(
    @CurrentPrincipal() principal: Principal,
    @Param('id', IdPipe) id: string,
    @IfMatch() ifMatch: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<PlanDto> {
    return this.fire(principal, id, 'revise', ifMatch, res);
  }

  /** adopted or under_revision → closed (owner or secretariat). */
  @Post(':id/close')
  @HttpCode(200)
  @Authenticated()
  @versioned()
  @ApiOkResponse({ type: PlanDto })
  close(
    @CurrentPrincipal() principal: Principal,
    @Param('id', IdPipe) id: string,
    @IfMatch() ifMatch: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<PlanDto> {
    return this.fire(principal, id, 'close', ifMatch, res);
  }

  private async fire(
    principal: Principal,
    id: string,
    transition: PlanTransitionName,
    ifMatch: string | undefined,
    res: Response,
  ): Promise<PlanDto> {
    const plan = await this.plans.transition(principal, id, transition, ifMatch);
    res.setHeader('ETag', etagOf(plan.version));
    return plan;
  }
}
