import { Body, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Authenticated } from '../../common/access/access.decorators';
import { CurrentPrincipal } from '../../common/access/current-principal.decorator';
import { Principal } from '../../common/access/roles';
import { AppException } from '../../common/errors';
import { IdPipe } from '../../common/id.pipe';
import { etagOf } from '../../common/versioning';
import { COMPONENTS } from '../matching/engine/types';
import { MatchDto, toMatchDto } from '../matching/dto/match.dto';
import { MatchesService } from '../matching/matches.service';
import { NeedsService } from '../needs/needs.service';
import { OffersService } from '../offers/offers.service';
import { CommitMatchDto, DeclineMatchDto } from '../review/dto/review.dto';
import { sidesOf } from '../review/match-access';
import {
  allowedMatchTransitions,
  DECLINE_REASONS,
  mayFire,
  MatchSide,
} from '../review/match-lifecycle';
import { MatchReviewService } from '../review/match-review.service';
import { ConsoleController } from './console-controller.decorator';
import { ConsolePages, PageRequest } from './console-pages.service';
import { ConsoleReference } from './console-reference';
import { versionOf } from './console-records';
import { FormBody, formErrors, FormErrors, numberOrRaw, text, validated } from './forms';

const SIMPLE = ['shortlist', 'propose', 'interest', 'start', 'deliver', 'close'] as const;
type Simple = (typeof SIMPLE)[number];

export const COMMIT_FORM_FIELDS = ['amount', 'currency', 'implementer', 'startDate', 'endDate'];
export const DECLINE_FORM_FIELDS = ['reasonCode', 'note'];

/** What the caller may do on the match now (the service checks again when they do it). */
export function matchActions(match: MatchDto, sides: MatchSide[]) {
  const allowed = allowedMatchTransitions(match.status as never).filter((n) => mayFire(n, sides));
  const interestDone =
    (!sides.includes('state') || !!match.stateInterestAt) &&
    (!sides.includes('donor') || !!match.donorInterestAt);
  return {
    simple: allowed.filter(
      (n): n is Simple =>
        (SIMPLE as readonly string[]).includes(n) && !(n === 'interest' && interestDone),
    ),
    decline: allowed.includes('decline'),
    commit: allowed.includes('commit'),
  };
}

/** The match review page: both sides, the score explained, and the workflow steps. */
@ConsoleController('matches')
export class ConsoleMatchesController {
  constructor(
    private readonly pages: ConsolePages,
    private readonly matches: MatchesService,
    private readonly review: MatchReviewService,
    private readonly needs: NeedsService,
    private readonly offers: OffersService,
    private readonly reference: ConsoleReference,
  ) {}

  @Get(':id')
  @Authenticated()
  async show(
    @CurrentPrincipal() principal: Principal,
    @Req() req: PageRequest,
    @Res() res: Response,
    @Param('id', IdPipe) id: string,
    @Query('done') done?: string,
  ) {
    await this.render(req, res, principal, id, {
      done: typeof done === 'string' ? done : null,
    });
  }

  @Post(':id/transitions/:name')
  @Authenticated()
  async transition(
    @CurrentPrincipal() principal: Principal,
    @Res() res: Response,
    @Param('id', IdPipe) id: string,
    @Param('name') name: string,
    @Body() body: FormBody,
  ) {
    if (!(SIMPLE as readonly string[]).includes(name)) throw AppException.notFound('Transition');
    await this.review.transition(principal, id, name as Simple, etagOf(versionOf(body)));
    res.redirect(303, `/app/matches/${id}?done=${name}`);
  }

  @Post(':id/decline')
  @Authenticated()
  async decline(
    @CurrentPrincipal() principal: Principal,
    @Req() req: PageRequest,
    @Res() res: Response,
    @Param('id', IdPipe) id: string,
    @Body() body: FormBody,
  ) {
    const values = { reasonCode: text(body, 'reasonCode'), note: text(body, 'note') };
    try {
      const dto = await validated(DeclineMatchDto, {
        reasonCode: values.reasonCode,
        ...(values.note ? { note: values.note } : {}),
      });
      await this.review.transition(principal, id, 'decline', etagOf(versionOf(body)), dto);
      res.redirect(303, `/app/matches/${id}?done=decline`);
    } catch (error) {
      const errors = formErrors(error, DECLINE_FORM_FIELDS);
      if (!errors || (error as AppException).code === 'CONFLICT') throw error;
      await this.render(
        req,
        res,
        principal,
        id,
        { declineValues: values, declineErrors: errors },
        400,
      );
    }
  }

  @Post(':id/commit')
  @Authenticated()
  async commit(
    @CurrentPrincipal() principal: Principal,
    @Req() req: PageRequest,
    @Res() res: Response,
    @Param('id', IdPipe) id: string,
    @Body() body: FormBody,
  ) {
    const values: Record<string, string> = {};
    for (const f of COMMIT_FORM_FIELDS) values[f] = text(body, f);
    try {
      const dto = await validated(CommitMatchDto, {
        amount: numberOrRaw(values.amount),
        currency: values.currency.toUpperCase(),
        implementer: values.implementer,
        startDate: values.startDate,
        endDate: values.endDate,
      });
      await this.review.commit(principal, id, dto, etagOf(versionOf(body)));
      res.redirect(303, `/app/matches/${id}?done=commit`);
    } catch (error) {
      const errors = formErrors(error, COMMIT_FORM_FIELDS);
      if (!errors) throw error;
      await this.render(
        req,
        res,
        principal,
        id,
        { commitValues: values, commitErrors: errors },
        400,
      );
    }
  }

  private async render(
    req: PageRequest,
    res: Response,
    principal: Principal,
    id: string,
    extra: {
      done?: string | null;
      commitValues?: Record<string, string>;
      commitErrors?: FormErrors;
      declineValues?: Record<string, string>;
      declineErrors?: FormErrors;
    },
    status = 200,
  ) {
    const row = await this.matches.get(principal, id);
    const match = toMatchDto(row);
    const [need, offer] = await Promise.all([
      this.needs.get(principal, match.needId),
      this.offers.get(principal, match.offerId),
    ]);
    const lang = (await this.pages.context(req, res)).lang;
    const uncoveredUsd = Math.max(0, need.estimatedCostUsd - need.coveredUsd);
    res.setHeader('ETag', etagOf(match.version));
    await this.pages.send(
      req,
      res,
      'matches/show',
      {
        match,
        need,
        offer,
        labels: await this.reference.labels(lang),
        components: COMPONENTS.map((c) => ({ name: c, value: match.components[c] })),
        actions: matchActions(match, sidesOf(principal, row)),
        reasons: DECLINE_REASONS,
        commitments: await this.review.commitments(principal, id),
        done: extra.done ?? null,
        commitValues: extra.commitValues ?? {
          amount: String(Math.min(uncoveredUsd, offer.remainingUsd)),
          currency: 'USD',
          implementer: '',
          startDate: need.earliestStart ?? offer.startDate,
          endDate: need.neededBy,
        },
        commitErrors: extra.commitErrors ?? null,
        declineValues: extra.declineValues ?? { reasonCode: '', note: '' },
        declineErrors: extra.declineErrors ?? null,
      },
      status,
    );
  }
}
