import { Controller, Get, HttpCode, Param, Post, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { Authenticated, Roles } from '../../common/access/access.decorators';
import { CurrentPrincipal } from '../../common/access/current-principal.decorator';
import type { Principal } from '../../common/access/roles';
import { IdPipe } from '../../common/id.pipe';
import { etagOf } from '../../common/versioning';
import { JobAcceptedDto, JobStatusDto, MatchDto, MatchListDto, toMatchDto } from './dto/match.dto';
import { MatchesService } from './matches.service';

@ApiTags('matches')
@Controller()
export class MatchesController {
  constructor(private readonly matches: MatchesService) {}

  /** The offers suggested for a need, highest score first (visibility of the need applies). */
  @Get('needs/:id/matches')
  @Authenticated()
  @ApiOkResponse({ type: MatchListDto })
  @ApiNotFoundResponse()
  async forNeed(
    @CurrentPrincipal() principal: Principal,
    @Param('id', IdPipe) id: string,
  ): Promise<MatchListDto> {
    return { items: (await this.matches.forNeed(principal, id)).map(toMatchDto), nextCursor: null };
  }

  /** The needs suggested for an offer, highest score first (only needs the caller may see). */
  @Get('offers/:id/matches')
  @Authenticated()
  @ApiOkResponse({ type: MatchListDto })
  @ApiNotFoundResponse()
  async forOffer(
    @CurrentPrincipal() principal: Principal,
    @Param('id', IdPipe) id: string,
  ): Promise<MatchListDto> {
    return {
      items: (await this.matches.forOffer(principal, id)).map(toMatchDto),
      nextCursor: null,
    };
  }

  @Get('matches/:id')
  @Authenticated()
  @ApiOkResponse({
    type: MatchDto,
    headers: { ETag: { description: 'The match version', schema: { type: 'string' } } },
  })
  @ApiNotFoundResponse()
  async get(
    @CurrentPrincipal() principal: Principal,
    @Param('id', IdPipe) id: string,
    @Res({ passthrough: true }) res: Response,
  ): Promise<MatchDto> {
    const match = await this.matches.get(principal, id);
    res.setHeader('ETag', etagOf(match.version));
    return toMatchDto(match);
  }

  /** Recompute every open need and active offer (secretariat); follow it with GET /jobs/:id. */
  @Post('matching/rematch')
  @HttpCode(202)
  @Roles('secretariat')
  @ApiAcceptedResponse({ type: JobAcceptedDto })
  @ApiServiceUnavailableResponse({ description: 'The job queue is unreachable' })
  rematch(@CurrentPrincipal() principal: Principal): Promise<JobAcceptedDto> {
    return this.matches.requestRematch(principal);
  }

  /** State, progress and outcome of a re-match, an import or an allocation run (by its id). */
  @Get('jobs/:id')
  @Roles('secretariat', 'admin')
  @ApiOkResponse({ type: JobStatusDto })
  @ApiNotFoundResponse()
  job(@Param('id') id: string): Promise<JobStatusDto> {
    return this.matches.job(id);
  }
}
