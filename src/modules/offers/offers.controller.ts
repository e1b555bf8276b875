import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { applyDecorators } from '@nestjs/common';
import { Authenticated, Roles } from '../../common/access/access.decorators';
import { CurrentPrincipal } from '../../common/access/current-principal.decorator';
import type { Principal } from '../../common/access/roles';
import { IdPipe } from '../../common/id.pipe';
import { etagOf, IfMatch } from '../../common/versioning';
import { ApiVersionedWrite } from '../../common/versioned-write.decorator';
import {
  CreateOfferDto,
  OfferDto,
  OfferPageDto,
  OfferQueryDto,
  UpdateOfferDto,
} from './dto/offer.dto';
import { OfferTransition } from './offer-lifecycle';
import { OffersService, toOfferDto } from './offers.service';
import { OFFER_CSV } from '../search/export-columns';
import { pages, streamCsv, EXPORT_BATCH } from '../search/csv';
import { ApiCsvExport } from '../search/export.decorators';

const Versioned = () => ApiVersionedWrite('offer');

const Transition = (description: string) =>
  applyDecorators(
    HttpCode(200),
    Roles('donor_focal_point', 'secretariat'),
    Versioned(),
    ApiOkResponse({ type: OfferDto, description }),
    ApiConflictResponse({ description: 'INVALID_TRANSITION: not allowed from the current status' }),
  );

@ApiTags('offers')
@Controller('offers')
export class OffersController {
  constructor(private readonly offers: OffersService) {}

  private withEtag(res: Response, dto: OfferDto): OfferDto {
    res.setHeader('ETag', etagOf(dto.version));
    return dto;
  }

  /** Offer capacity (a draft until activated). The offering party is the caller's own. */
  @Post()
  @Roles('donor_focal_point', 'secretariat')
  @ApiCreatedResponse({ type: OfferDto })
  @ApiBadRequestResponse({
    description: 'Field-level problems (amounts, currency, dates, unknown fields)',
  })
  @ApiUnprocessableEntityResponse({
    description: 'UNKNOWN_REFERENCE (codes listed per field) or no exchange rate for the currency',
  })
  async create(
    @CurrentPrincipal() principal: Principal,
    @Body() body: CreateOfferDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<OfferDto> {
    return this.withEtag(res, await this.offers.create(principal, body));
  }

  /** Offers visible to the caller (drafts only to their party and the secretariat). */
  @Get()
  @Authenticated()
  @ApiOkResponse({ type: OfferPageDto })
  @ApiBadRequestResponse({ description: 'Malformed or unknown filter value' })
  list(@CurrentPrincipal() principal: Principal, @Query() query: OfferQueryDto) {
    return this.offers.list(principal, query);
  }

  /** The filtered list as CSV (same filters, sort and visibility), streamed in batches. */
  @Get('export.csv')
  @Authenticated()
  @ApiCsvExport('Offers')
  async exportCsv(
    @CurrentPrincipal() principal: Principal,
    @Query() query: OfferQueryDto,
    @Res() res: Response,
  ): Promise<void> {
    const batches = pages(async (cursor) => {
      const page = await this.offers.listRows(principal, { ...query, cursor, limit: EXPORT_BATCH });
      return { items: page.items.map(toOfferDto), nextCursor: page.nextCursor };
    });
    await streamCsv(res, 'offers.csv', OFFER_CSV, batches);
  }

  @Get(':id')
  @Authenticated()
  @ApiOkResponse({
    type: OfferDto,
    headers: { ETag: { description: 'The version, quoted', schema: { type: 'string' } } },
  })
  @ApiNotFoundResponse({ description: 'Absent, or a draft of another party' })
  async get(
    @CurrentPrincipal() principal: Principal,
    @Param('id', IdPipe) id: string,
    @Res({ passthrough: true }) res: Response,
  ): Promise<OfferDto> {
    return this.withEtag(res, await this.offers.get(principal, id));
  }

  /** Edit a draft, active or paused offer; arrays and nested objects named replace as a whole. */
  @Patch(':id')
  @Roles('donor_focal_point', 'secretariat')
  @Versioned()
  @ApiOkResponse({ type: OfferDto })
  @ApiConflictResponse({ description: 'The offer is exhausted or closed' })
  @ApiUnprocessableEntityResponse({ description: 'Unknown codes or no exchange rate' })
  async update(
    @CurrentPrincipal() principal: Principal,
    @Param('id', IdPipe) id: string,
    @IfMatch() ifMatch: string | undefined,
    @Body() body: UpdateOfferDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<OfferDto> {
    return this.withEtag(res, await this.offers.update(principal, id, ifMatch, body));
  }

  @Post(':id/activate')
  @Transition('draft → active')
  activate(
    @CurrentPrincipal() principal: Principal,
    @Param('id', IdPipe) id: string,
    @IfMatch() ifMatch: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    return this.run(principal, id, 'activate', ifMatch, res);
  }

  @Post(':id/pause')
  @Transition('active → paused')
  pause(
    @CurrentPrincipal() principal: Principal,
    @Param('id', IdPipe) id: string,
    @IfMatch() ifMatch: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    return this.run(principal, id, 'pause', ifMatch, res);
  }

  @Post(':id/resume')
  @Transition('paused → active')
  resume(
    @CurrentPrincipal() principal: Principal,
    @Param('id', IdPipe) id: string,
    @IfMatch() ifMatch: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    return this.run(principal, id, 'resume', ifMatch, res);
  }

  @Post(':id/close')
  @Transition('draft, active, paused or exhausted → closed')
  close(
    @CurrentPrincipal() principal: Principal,
    @Param('id', IdPipe) id: string,
    @IfMatch() ifMatch: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    return this.run(principal, id, 'close', ifMatch, res);
  }

  private async run(
    principal: Principal,
    id: string,
    transition: OfferTransition,
    ifMatch: string | undefined,
    res: Response,
  ): Promise<OfferDto> {
    return this.withEtag(res, await this.offers.transition(principal, id, transition, ifMatch));
  }
}
