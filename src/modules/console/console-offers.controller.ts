import { Body, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Authenticated, Roles } from '../../common/access/access.decorators';
import { CurrentPrincipal } from '../../common/access/current-principal.decorator';
import { hasRole, Principal } from '../../common/access/roles';
import { AppException } from '../../common/errors';
import { IdPipe } from '../../common/id.pipe';
import { etagOf } from '../../common/versioning';
import { toMatchDto } from '../matching/dto/match.dto';
import { MatchesService } from '../matching/matches.service';
import { NeedsService } from '../needs/needs.service';
import { CreateOfferDto, OfferDto, OfferQueryDto, UpdateOfferDto } from '../offers/dto/offer.dto';
import { OFFER_MODALITIES } from '../offers/offer.entity';
import {
  allowedOfferTransitions,
  OFFER_EDITABLE,
  OFFER_STATUSES,
  OFFER_TRANSITION_NAMES,
  OfferTransition,
} from '../offers/offer-lifecycle';
import { OffersService } from '../offers/offers.service';
import { ConsoleController } from './console-controller.decorator';
import { ConsolePages, PageRequest } from './console-pages.service';
import { ConsoleReference } from './console-reference';
import { FormValues, recordListQuery, versionOf } from './console-records';
import { FormBody, formErrors, list, numberOrRaw, optional, text, validated } from './forms';

export const OFFER_FORM_FIELDS = [
  'title',
  'description',
  'controlAreas',
  'assistanceTypes',
  'eligibility.regions',
  'eligibility.groups',
  'eligibility.countries',
  'eligibility.excludeCountries',
  'budget.total',
  'budget.currency',
  'budget.minPerProject',
  'budget.maxPerProject',
  'startDate',
  'endDate',
  'languages',
  'modality',
  'conditions',
] as const;

const LIST_FIELDS = [
  'controlAreas',
  'assistanceTypes',
  'eligibility.regions',
  'eligibility.groups',
  'eligibility.countries',
  'eligibility.excludeCountries',
  'languages',
];

export function offerValues(o: OfferDto): FormValues {
  const n = (x: number | null) => (x === null ? '' : String(x));
  return {
    title: o.title,
    description: o.description,
    controlAreas: o.controlAreas,
    assistanceTypes: o.assistanceTypes,
    'eligibility.regions': o.eligibility.regions,
    'eligibility.groups': o.eligibility.groups,
    'eligibility.countries': o.eligibility.countries,
    'eligibility.excludeCountries': o.eligibility.excludeCountries,
    'budget.total': String(o.budget.total),
    'budget.currency': o.budget.currency,
    'budget.minPerProject': n(o.budget.minPerProject),
    'budget.maxPerProject': n(o.budget.maxPerProject),
    startDate: o.startDate,
    endDate: o.endDate,
    languages: o.languages,
    modality: o.modality,
    conditions: o.conditions ?? '',
  };
}

export function submittedOfferValues(body: FormBody): FormValues {
  const out: FormValues = {};
  for (const f of OFFER_FORM_FIELDS) {
    out[f] = LIST_FIELDS.includes(f)
      ? list(body, f)
      : f === 'description' || f === 'conditions'
        ? typeof body[f] === 'string'
          ? (body[f] as string)
          : ''
        : text(body, f);
  }
  return out;
}

export function offerBody(v: FormValues, mode: 'create' | 'edit'): Record<string, unknown> {
  const empty = mode === 'create' ? undefined : null;
  const s = (f: string) => v[f] as string;
  const budget: Record<string, unknown> = {
    total: numberOrRaw(s('budget.total')),
    currency: s('budget.currency').toUpperCase(),
    minPerProject: numberOrRaw(s('budget.minPerProject')),
    maxPerProject: numberOrRaw(s('budget.maxPerProject')),
  };
  for (const key of Object.keys(budget)) if (budget[key] === undefined) delete budget[key];
  const body: Record<string, unknown> = {
    title: s('title'),
    description: s('description'),
    controlAreas: v.controlAreas,
    assistanceTypes: v.assistanceTypes,
    eligibility: {
      regions: v['eligibility.regions'],
      groups: v['eligibility.groups'],
      countries: v['eligibility.countries'],
      excludeCountries: v['eligibility.excludeCountries'],
    },
    budget,
    startDate: s('startDate'),
    endDate: s('endDate'),
    languages: v.languages,
    modality: s('modality'),
    conditions: optional(s('conditions').trim(), empty),
  };
  if (body.conditions === undefined) delete body.conditions;
  return body;
}

const ALIASES = { budget: 'budget.total', eligibility: 'eligibility.countries' };

/** A donor's offers: list, create and edit with eligibility pick-lists, suggested needs, lifecycle. */
@ConsoleController('offers')
export class ConsoleOffersController {
  constructor(
    private readonly pages: ConsolePages,
    private readonly offers: OffersService,
    private readonly needs: NeedsService,
    private readonly matches: MatchesService,
    private readonly reference: ConsoleReference,
  ) {}

  @Get()
  @Authenticated()
  async list(
    @CurrentPrincipal() principal: Principal,
    @Req() req: PageRequest,
    @Res() res: Response,
    @Query() raw: Record<string, unknown>,
  ) {
    const list = recordListQuery(raw, OFFER_STATUSES);
    const filters = list.filters;
    const query: OfferQueryDto = list.query;
    const donor = hasRole(principal, 'donor_focal_point') && !!principal.partyId;
    const mine = donor && filters.mine !== '0';
    if (mine) query.partyId = principal.partyId!;
    const page = await this.offers.list(principal, query);
    await this.pages.send(req, res, 'offers/list', {
      page,
      filters,
      mine,
      donor,
      statuses: OFFER_STATUSES,
    });
  }

  @Get('new')
  @Roles('donor_focal_point')
  async newForm(@Req() req: PageRequest, @Res() res: Response) {
    const values: FormValues = {
      'budget.currency': 'USD',
      modality: 'bilateral',
      languages: ['en'],
      controlAreas: [],
      assistanceTypes: [],
      'eligibility.regions': [],
      'eligibility.groups': [],
      'eligibility.countries': [],
      'eligibility.excludeCountries': [],
    };
    await this.renderForm(req, res, { mode: 'create', values, errors: null });
  }

  @Post()
  @Roles('donor_focal_point')
  async create(
    @CurrentPrincipal() principal: Principal,
    @Req() req: PageRequest,
    @Res() res: Response,
    @Body() body: FormBody,
  ) {
    const values = submittedOfferValues(body);
    try {
      const dto = await validated(CreateOfferDto, offerBody(values, 'create'));
      const offer = await this.offers.create(principal, dto);
      res.redirect(303, `/app/offers/${offer.id}?done=created`);
    } catch (error) {
      const errors = formErrors(error, OFFER_FORM_FIELDS, ALIASES);
      if (!errors) throw error;
      await this.renderForm(req, res, { mode: 'create', values, errors }, 400);
    }
  }

  @Get(':id')
  @Authenticated()
  async show(
    @CurrentPrincipal() principal: Principal,
    @Req() req: PageRequest,
    @Res() res: Response,
    @Param('id', IdPipe) id: string,
    @Query('done') done?: string,
  ) {
    const offer = await this.offers.get(principal, id);
    const lang = (await this.pages.context(req, res)).lang;
    const labels = await this.reference.labels(lang);
    const suggestions = (await this.matches.forOffer(principal, id)).map(toMatchDto);
    const matches = await Promise.all(
      suggestions.map(async (m) => ({
        ...m,
        need: await this.needs.get(principal, m.needId).catch(() => null),
      })),
    );
    const manages =
      hasRole(principal, 'secretariat') ||
      (hasRole(principal, 'donor_focal_point') && principal.partyId === offer.partyId);
    res.setHeader('ETag', etagOf(offer.version));
    await this.pages.send(req, res, 'offers/show', {
      offer,
      labels,
      matches,
      done: typeof done === 'string' ? done : null,
      transitions: manages ? allowedOfferTransitions(offer.status) : [],
      canEdit: manages && OFFER_EDITABLE.includes(offer.status),
    });
  }

  @Get(':id/edit')
  @Roles('donor_focal_point', 'secretariat')
  async editForm(
    @CurrentPrincipal() principal: Principal,
    @Req() req: PageRequest,
    @Res() res: Response,
    @Param('id', IdPipe) id: string,
  ) {
    const offer = await this.offers.get(principal, id);
    await this.renderForm(req, res, {
      mode: 'edit',
      offer,
      version: offer.version,
      values: offerValues(offer),
      errors: null,
    });
  }

  @Post(':id')
  @Roles('donor_focal_point', 'secretariat')
  async update(
    @CurrentPrincipal() principal: Principal,
    @Req() req: PageRequest,
    @Res() res: Response,
    @Param('id', IdPipe) id: string,
    @Body() body: FormBody,
  ) {
    const values = submittedOfferValues(body);
    const version = versionOf(body);
    try {
      const dto = await validated(UpdateOfferDto, offerBody(values, 'edit'));
      await this.offers.update(principal, id, etagOf(version), dto);
      res.redirect(303, `/app/offers/${id}?done=saved`);
    } catch (error) {
      if (error instanceof AppException && error.code === 'PRECONDITION_FAILED') {
        const current = await this.offers.get(principal, id);
        return this.pages.sendConflict(req, res, {
          kind: 'offer',
          id,
          title: current.title,
          currentVersion: current.version,
          yourVersion: version,
          fields: OFFER_FORM_FIELDS,
          theirs: offerValues(current),
          mine: values,
          codeLists: {
            controlAreas: 'areas',
            assistanceTypes: 'types',
            'eligibility.regions': 'regions',
            'eligibility.groups': 'groups',
            'eligibility.countries': 'countries',
            'eligibility.excludeCountries': 'countries',
          },
        });
      }
      const errors = formErrors(error, OFFER_FORM_FIELDS, ALIASES);
      if (!errors) throw error;
      const offer = await this.offers.get(principal, id);
      await this.renderForm(req, res, { mode: 'edit', offer, version, values, errors }, 400);
    }
  }

  /** activate, pause, resume, close. */
  @Post(':id/transitions/:name')
  @Roles('donor_focal_point', 'secretariat')
  async transition(
    @CurrentPrincipal() principal: Principal,
    @Res() res: Response,
    @Param('id', IdPipe) id: string,
    @Param('name') name: string,
    @Body() body: FormBody,
  ) {
    if (!(OFFER_TRANSITION_NAMES as readonly string[]).includes(name)) {
      throw AppException.notFound('Transition');
    }
    await this.offers.transition(principal, id, name as OfferTransition, etagOf(versionOf(body)));
    res.redirect(303, `/app/offers/${id}?done=${name}`);
  }

  private async renderForm(
    req: PageRequest,
    res: Response,
    data: {
      mode: 'create' | 'edit';
      values: FormValues;
      errors: unknown;
      offer?: OfferDto;
      version?: number;
    },
    status = 200,
  ) {
    const lang = (await this.pages.context(req, res)).lang;
    await this.pages.send(
      req,
      res,
      'offers/form',
      {
        ...data,
        picks: await this.reference.pickLists(lang),
        modalities: OFFER_MODALITIES,
        action: data.mode === 'create' ? '/app/offers' : `/app/offers/${data.offer!.id}`,
      },
      status,
    );
  }
}
