import { applyDecorators, Body, Controller, Get, HttpCode, Param, Post, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { Authenticated } from '../../common/access/access.decorators';
import { CurrentPrincipal } from '../../common/access/current-principal.decorator';
import type { Principal } from '../../common/access/roles';
import { IdPipe } from '../../common/id.pipe';
import { etagOf, IfMatch } from '../../common/versioning';
import { ApiVersionedWrite } from '../../common/versioned-write.decorator';
import { MatchDto } from '../matching/dto/match.dto';
import {
  CommitMatchDto,
  CommitmentListDto,
  CommitResultDto,
  DeclineMatchDto,
} from './dto/review.dto';
import { MatchReviewService } from './match-review.service';

const transition = (type: typeof MatchDto | typeof CommitResultDto = MatchDto) =>
  applyDecorators(HttpCode(200), Authenticated(), ApiVersionedWrite('match', type));

/** The match workflow (contract "Matches"): one route per transition. */
@ApiTags('matches')
@Controller('matches')
export class MatchReviewController {
  constructor(private readonly review: MatchReviewService) {}

  private async fire(
    principal: Principal,
    id: string,
    name: 'shortlist' | 'propose' | 'interest' | 'start' | 'deliver' | 'close',
    ifMatch: string | undefined,
    res: Response,
  ): Promise<MatchDto> {
    const match = await this.review.transition(principal, id, name, ifMatch);
    res.setHeader('ETag', etagOf(match.version));
    return match;
  }

  /** suggested → shortlisted (secretariat). */
  @Post(':id/shortlist')
  @transition()
  shortlist(
    @CurrentPrincipal() principal: Principal,
    @Param('id', IdPipe) id: string,
    @IfMatch() ifMatch: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<MatchDto> {
    return this.fire(principal, id, 'shortlist', ifMatch, res);
  }

  /** suggested or shortlisted → proposed (secretariat). */
  @Post(':id/propose')
  @transition()
  propose(
    @CurrentPrincipal() principal: Principal,
    @Param('id', IdPipe) id: string,
    @IfMatch() ifMatch: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<MatchDto> {
    return this.fire(principal, id, 'propose', ifMatch, res);
  }

  /**
   * The State's or the donor's side expresses interest, once each (a second time → 409);
   * the match becomes `agreed` when both have.
   */
  @Post(':id/interest')
  @transition()
  interest(
    @CurrentPrincipal() principal: Principal,
    @Param('id', IdPipe) id: string,
    @IfMatch() ifMatch: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<MatchDto> {
    return this.fire(principal, id, 'interest', ifMatch, res);
  }

  /** Either side or the secretariat, at any status before committed, with a reason code. */
  @Post(':id/decline')
  @transition()
  @ApiBadRequestResponse({ description: 'Unknown reason code, or note missing for `other`' })
  async decline(
    @CurrentPrincipal() principal: Principal,
    @Param('id', IdPipe) id: string,
    @Body() body: DeclineMatchDto,
    @IfMatch() ifMatch: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<MatchDto> {
    const match = await this.review.transition(principal, id, 'decline', ifMatch, body);
    res.setHeader('ETag', etagOf(match.version));
    return match;
  }

  /**
   * agreed → committed by the donor side: records the commitment and, in the same
   * transaction, the need's coverage and status and the offer's committed amount.
   */
  @Post(':id/commit')
  @transition(CommitResultDto)
  @ApiBadRequestResponse({ description: 'Invalid amount, currency, dates or field' })
  @ApiUnprocessableEntityResponse({ description: 'No exchange rate for the currency today' })
  async commit(
    @CurrentPrincipal() principal: Principal,
    @Param('id', IdPipe) id: string,
    @Body() body: CommitMatchDto,
    @IfMatch() ifMatch: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<CommitResultDto> {
    const result = await this.review.commit(principal, id, body, ifMatch);
    res.setHeader('ETag', etagOf(result.match.version));
    return result;
  }

  /** committed → in_delivery (donor side or secretariat). */
  @Post(':id/start')
  @transition()
  start(
    @CurrentPrincipal() principal: Principal,
    @Param('id', IdPipe) id: string,
    @IfMatch() ifMatch: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<MatchDto> {
    return this.fire(principal, id, 'start', ifMatch, res);
  }

  /** in_delivery → delivered (donor side or secretariat). */
  @Post(':id/deliver')
  @transition()
  deliver(
    @CurrentPrincipal() principal: Principal,
    @Param('id', IdPipe) id: string,
    @IfMatch() ifMatch: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<MatchDto> {
    return this.fire(principal, id, 'deliver', ifMatch, res);
  }

  /** delivered or declined → closed (secretariat). */
  @Post(':id/close')
  @transition()
  close(
    @CurrentPrincipal() principal: Principal,
    @Param('id', IdPipe) id: string,
    @IfMatch() ifMatch: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<MatchDto> {
    return this.fire(principal, id, 'close', ifMatch, res);
  }

  /** The commitments made on a match (oldest first). */
  @Get(':id/commitments')
  @Authenticated()
  @ApiOkResponse({ type: CommitmentListDto })
  @ApiNotFoundResponse({ description: 'No such match, or not visible to the caller' })
  async commitments(
    @CurrentPrincipal() principal: Principal,
    @Param('id', IdPipe) id: string,
  ): Promise<CommitmentListDto> {
    return { items: await this.review.commitments(principal, id), nextCursor: null };
  }
}
