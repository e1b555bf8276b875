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
import {
  CreateNeedDto,
  NeedDto,
  NeedPageDto,
  NeedQueryDto,
  ReturnNeedDto,
  UpdateNeedDto,
} from './dto/need.dto';
import { NeedTransitionName } from './need-lifecycle';
import { NeedsService, toNeedDto } from './needs.service';
import { NEED_CSV } from '../search/export-columns';
import { pages, streamCsv, EXPORT_BATCH } from '../search/csv';
import { ApiCsvExport } from '../search/export.decorators';

const versioned = () => ApiVersionedWrite('need', NeedDto);

@ApiTags('needs')
@Controller('needs')
export class NeedsController {
  constructor(private readonly needs: NeedsService) {}

  /** A State's national contact declares a need; the secretariat files one with `partyId`. */
  @Post()
  @Roles('national_contact', 'secretariat')
  @ApiCreatedResponse({
    type: NeedDto,
    headers: { ETag: { description: 'Version 1', schema: { type: 'string' } } },
  })
  @ApiBadRequestResponse({ description: 'Invalid field (names each)' })
  @ApiUnprocessableEntityResponse({
    description:
      'Unknown codes (listed per field), a plan item of another State, or no exchange rate',
  })
  async create(
    @CurrentPrincipal() principal: Principal,
    @Body() body: CreateNeedDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<NeedDto> {
    const need = await this.needs.create(principal, body);
    res.setHeader('ETag', etagOf(need.version));
    return need;
  }

  /** Needs the caller may see, newest first, filtered. */
  @Get()
  @Authenticated()
  @ApiOkResponse({ type: NeedPageDto })
  @ApiBadRequestResponse({ description: 'Invalid or unknown filter value (UNKNOWN_FILTER_VALUE)' })
  async list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: NeedQueryDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<string> {
    // A NeedPageDto, serialised by PostgreSQL (NeedsService.listJson).
    const json = await this.needs.listJson(principal, query);
    res.type('application/json');
    return json;
  }

  /** The filtered list as CSV (same filters, sort and visibility), streamed in batches. */
  @Get('export.csv')
  @Authenticated()
  @ApiCsvExport('Needs')
  async exportCsv(
    @CurrentPrincipal() principal: Principal,
    @Query() query: NeedQueryDto,
    @Res() res: Response,
  ): Promise<void> {
    const batches = pages(async (cursor) => {
      const page = await this.needs.listRows(principal, { ...query, cursor, limit: EXPORT_BATCH });
      return { items: page.items.map(toNeedDto), nextCursor: page.nextCursor };
    });
    await streamCsv(res, 'needs.csv', NEED_CSV, batches);
  }

  @Get(':id')
  @Authenticated()
  @ApiOkResponse({
    type: NeedDto,
    headers: { ETag: { description: 'The need version', schema: { type: 'string' } } },
  })
  @ApiNotFoundResponse({ description: 'No such need, or not visible to the caller' })
  async get(
    @CurrentPrincipal() principal: Principal,
    @Param('id', IdPipe) id: string,
    @Res({ passthrough: true }) res: Response,
  ): Promise<string> {
    // A NeedDto, serialised by PostgreSQL (NeedsService.getJson).
    const need = await this.needs.getJson(principal, id);
    res.setHeader('ETag', etagOf(need.version));
    res.type('application/json');
    return need.json;
  }

  /** Owner or secretariat, while draft, submitted or under review; arrays given are replaced. */
  @Patch(':id')
  @Authenticated()
  @versioned()
  @ApiBadRequestResponse({ description: 'Invalid field (names each)' })
  @ApiUnprocessableEntityResponse({ description: 'Unknown codes, plan item or exchange rate' })
  async update(
    @CurrentPrincipal() principal: Principal,
    @Param('id', IdPipe) id: string,
    @Body() body: UpdateNeedDto,
    @IfMatch() ifMatch: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<NeedDto> {
    const need = await this.needs.update(principal, id, body, ifMatch);
    res.setHeader('ETag', etagOf(need.version));
    return need;
  }

  /** draft → submitted (the State's national contacts). */
  @Post(':id/submit')
  @HttpCode(200)
  @Authenticated()
  @versioned()
  submit(
    @CurrentPrincipal() principal: Principal,
    @Param('id', IdPipe) id: string,
    @IfMatch() ifMatch: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<NeedDto> {
    return this.fire(principal, id, 'submit', ifMatch, res);
  }

  /** submitted → under_review (secretariat). */
  @Post(':id/review')
  @HttpCode(200)
  @Authenticated()
  @versioned()
  review(
    @CurrentPrincipal() principal: Principal,
    @Param('id', IdPipe) id: string,
    @IfMatch() ifMatch: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<NeedDto> {
    return this.fire(principal, id, 'review', ifMatch, res);
  }

  /** submitted or under_review → published (secretariat). */
  @Post(':id/publish')
  @HttpCode(200)
  @Authenticated()
  @versioned()
  publish(
    @CurrentPrincipal() principal: Principal,
    @Param('id', IdPipe) id: string,
    @IfMatch() ifMatch: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<NeedDto> {
    return this.fire(principal, id, 'publish', ifMatch, res);
  }

  /** submitted or under_review → draft, with a note to the State (secretariat). */
  @Post(':id/return')
  @HttpCode(200)
  @Authenticated()
  @versioned()
  @ApiBadRequestResponse({ description: 'note missing or too long' })
  returnToDraft(
    @CurrentPrincipal() principal: Principal,
    @Param('id', IdPipe) id: string,
    @Body() body: ReturnNeedDto,
    @IfMatch() ifMatch: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<NeedDto> {
    return this.fire(principal, id, 'return', ifMatch, res, body.note);
  }

  /** Any open or pre-publication status → withdrawn (owner or secretariat). */
  @Post(':id/withdraw')
  @HttpCode(200)
  @Authenticated()
  @versioned()
  withdraw(
    @CurrentPrincipal() principal: Principal,
    @Param('id', IdPipe) id: string,
    @IfMatch() ifMatch: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<NeedDto> {
    return this.fire(principal, id, 'withdraw', ifMatch, res);
  }

  /** published, partially_covered or covered → closed (secretariat). */
  @Post(':id/close')
  @HttpCode(200)
  @Authenticated()
  @versioned()
  close(
    @CurrentPrincipal() principal: Principal,
    @Param('id', IdPipe) id: string,
    @IfMatch() ifMatch: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<NeedDto> {
    return this.fire(principal, id, 'close', ifMatch, res);
  }

  private async fire(
    principal: Principal,
    id: string,
    transition: NeedTransitionName,
    ifMatch: string | undefined,
    res: Response,
    note?: string,
  ): Promise<NeedDto> {
    const need = await this.needs.transition(principal, id, transition, ifMatch, note);
    res.setHeader('ETag', etagOf(need.version));
    return need;
  }
}
