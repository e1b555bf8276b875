import { Get, Param, Query, Req, Res } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Response } from 'express';
import { Repository } from 'typeorm';
import { Authenticated, Roles } from '../../common/access/access.decorators';
import { CurrentPrincipal } from '../../common/access/current-principal.decorator';
import { hasRole, Principal } from '../../common/access/roles';
import { IdPipe } from '../../common/id.pipe';
import { AuditController } from '../audit/audit.controller';
import { AuditEntry } from '../audit/audit-entry.entity';
import { AuditQueryDto } from '../audit/dto/audit-query.dto';
import { toMatchDto } from '../matching/dto/match.dto';
import { MatchesService } from '../matching/matches.service';
import { NeedsService } from '../needs/needs.service';
import { OffersService } from '../offers/offers.service';
import { PartiesService } from '../parties/parties.service';
import { PlansService } from '../plans/plans.service';
import { ConsoleController } from './console-controller.decorator';
import { ConsolePages, PageRequest } from './console-pages.service';
import { ConsoleReference } from './console-reference';
import { listQuery } from './console-records';
import { formErrors, validated } from './forms';

const AUDIT_FIELDS = ['entityType', 'entityId', 'action', 'partyId', 'userId', 'from', 'to'];

/** The secretariat's review queue and audit search; National Action Plans for everyone. */
@ConsoleController()
export class ConsoleReviewController {
  /** The API's audit search, reused as is so both apply the same filters. */
  private readonly auditSearch: AuditController;

  constructor(
    private readonly pages: ConsolePages,
    private readonly needs: NeedsService,
    private readonly offers: OffersService,
    private readonly matches: MatchesService,
    private readonly plans: PlansService,
    private readonly parties: PartiesService,
    private readonly reference: ConsoleReference,
    @InjectRepository(AuditEntry) entries: Repository<AuditEntry>,
  ) {
    this.auditSearch = new AuditController(entries);
  }

  /** Needs waiting for review or publication, and suggestions waiting to be shortlisted or proposed. */
  @Get('review')
  @Roles('secretariat')
  async queue(
    @CurrentPrincipal() principal: Principal,
    @Req() req: PageRequest,
    @Res() res: Response,
  ) {
    const [submitted, underReview, open, partly] = await Promise.all([
      this.needs.list(principal, { status: 'submitted', sort: 'createdAt', limit: 50 }),
      this.needs.list(principal, { status: 'under_review', sort: 'createdAt', limit: 50 }),
      this.needs.list(principal, { status: 'published', limit: 50 }),
      this.needs.list(principal, { status: 'partially_covered', limit: 50 }),
    ]);
    const openNeeds = [...open.items, ...partly.items];
    const suggestions = (
      await Promise.all(
        openNeeds.map(async (need) =>
          (await this.matches.forNeed(principal, need.id))
            .map(toMatchDto)
            .filter((m) => ['suggested', 'shortlisted', 'proposed'].includes(m.status))
            .map((m) => ({ ...m, need })),
        ),
      )
    ).flat();
    const offerTitles = new Map<string, string>();
    for (const id of new Set(suggestions.map((m) => m.offerId))) {
      offerTitles.set(id, (await this.offers.get(principal, id)).title);
    }
    await this.pages.send(req, res, 'review', {
      pending: [...submitted.items, ...underReview.items],
      suggestions: suggestions
        .sort((a, b) => b.score - a.score)
        .map((m) => ({ ...m, offerTitle: offerTitles.get(m.offerId) ?? '' })),
    });
  }

  @Get('audit')
  @Roles('secretariat', 'admin')
  async audit(
    @Req() req: PageRequest,
    @Res() res: Response,
    @Query() raw: Record<string, unknown>,
  ) {
    const values = listQuery(raw, [...AUDIT_FIELDS, 'cursor']);
    const searched = Object.keys(values).length > 0;
    let page = null;
    let errors = null;
    try {
      page = await this.auditSearch.list(await validated(AuditQueryDto, { ...values, limit: 50 }));
    } catch (error) {
      errors = formErrors(error, AUDIT_FIELDS);
      if (!errors) throw error;
    }
    await this.pages.send(
      req,
      res,
      'audit',
      { values, page, errors, searched },
      errors ? 400 : 200,
    );
  }

  /** National Action Plans the caller may see (a national contact: their State's first). */
  @Get('plans')
  @Authenticated()
  async planList(
    @CurrentPrincipal() principal: Principal,
    @Req() req: PageRequest,
    @Res() res: Response,
  ) {
    const state =
      hasRole(principal, 'national_contact') && principal.partyId
        ? (await this.parties.get(principal.partyId)).countryCode
        : null;
    const page = await this.plans.list(principal, { limit: 50, ...(state ? { state } : {}) });
    await this.pages.send(req, res, 'plans/list', { page });
  }

  @Get('plans/:id')
  @Authenticated()
  async plan(
    @CurrentPrincipal() principal: Principal,
    @Req() req: PageRequest,
    @Res() res: Response,
    @Param('id', IdPipe) id: string,
  ) {
    const plan = await this.plans.get(principal, id);
    const lang = (await this.pages.context(req, res)).lang;
    await this.pages.send(req, res, 'plans/show', {
      plan,
      labels: await this.reference.labels(lang),
    });
  }
}
