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
import { CreateNeedDto, NeedDto, NeedQueryDto, UpdateNeedDto } from '../needs/dto/need.dto';
import { NEED_PRIORITIES } from '../needs/need.entity';
import {
  NEED_STATUSES,
  NEED_TRANSITION_NAMES,
  NEED_TRANSITIONS,
  NeedTransition,
  NeedTransitionName,
} from '../needs/need-lifecycle';
import { NEED_VISIBILITY_TIERS } from '../needs/need-visibility';
import { NeedsService } from '../needs/needs.service';
import { OffersService } from '../offers/offers.service';
import { PartiesService } from '../parties/parties.service';
import { PlansService } from '../plans/plans.service';
import { ConsentService } from '../review/consent.service';
import { ObjectNeedDto } from '../review/dto/review.dto';
import { MatchReviewService } from '../review/match-review.service';
import { ConsoleController } from './console-controller.decorator';
import { ConsolePages, PageRequest } from './console-pages.service';
import { ConsoleReference } from './console-reference';
import { FormValues, recordListQuery, versionOf } from './console-records';
import { FormBody, formErrors, list, numberOrRaw, optional, text, validated } from './forms';

/** The need form's fields, in page order (names as in the API body). */
export const NEED_FORM_FIELDS = [
  'title',
  'description',
  'language',
  'controlAreas',
  'assistanceTypes',
  'frameworks',
  'priority',
  'rank',
  'estimatedCost.amount',
  'estimatedCost.currency',
  'earliestStart',
  'neededBy',
  'visibility',
  'planItemId',
  'location',
  'implementer',
] as const;

/** On the create form only: the State a secretariat officer files the need for. */
const FILING_PARTY = 'partyId';

/** A stored need as form values (what the edit form starts from, and "theirs" in a conflict). */
export function needValues(n: NeedDto): FormValues {
  return {
    title: n.title,
    description: n.description,
    language: n.language,
    controlAreas: n.controlAreas,
    assistanceTypes: n.assistanceTypes,
    frameworks: n.frameworks,
    priority: n.priority,
    rank: n.rank === null ? '' : String(n.rank),
    'estimatedCost.amount': String(n.estimatedCost.amount),
    'estimatedCost.currency': n.estimatedCost.currency,
    earliestStart: n.earliestStart ?? '',
    neededBy: n.neededBy,
    visibility: n.visibility,
    planItemId: n.planItemId ?? '',
    location: n.location ?? '',
    implementer: n.implementer ?? '',
  };
}

/** The form as typed (kept to show it again with the errors). */
export function submittedNeedValues(body: FormBody): FormValues {
  const out: FormValues = {};
  if (text(body, FILING_PARTY)) out[FILING_PARTY] = text(body, FILING_PARTY);
  for (const f of NEED_FORM_FIELDS) {
    out[f] = ['controlAreas', 'assistanceTypes', 'frameworks'].includes(f)
      ? list(body, f)
      : f === 'description'
        ? typeof body[f] === 'string'
          ? (body[f] as string)
          : ''
        : text(body, f);
  }
  return out;
}

/** The API body for the form: blanks are left out on create and cleared (null) on edit. */
export function needBody(v: FormValues, mode: 'create' | 'edit'): Record<string, unknown> {
  const empty = mode === 'create' ? undefined : null;
  const s = (f: string) => v[f] as string;
  const body: Record<string, unknown> = {
    partyId: mode === 'create' ? v[FILING_PARTY] : undefined,
    title: s('title'),
    description: s('description'),
    language: s('language'),
    controlAreas: v.controlAreas,
    assistanceTypes: v.assistanceTypes,
    frameworks: v.frameworks,
    priority: s('priority'),
    rank: numberOrRaw(s('rank')) ?? empty,
    estimatedCost: {
      amount: numberOrRaw(s('estimatedCost.amount')),
      currency: s('estimatedCost.currency').toUpperCase(),
    },
    earliestStart: optional(s('earliestStart'), empty),
    neededBy: s('neededBy'),
    visibility: s('visibility'),
    planItemId: optional(s('planItemId'), empty),
    location: optional(s('location'), empty),
    implementer: optional(s('implementer'), empty),
  };
  for (const key of Object.keys(body)) if (body[key] === undefined) delete body[key];
  return body;
}

/** Who may fire a need transition, as the service decides it (the service checks again). */
function mayFireNeed(principal: Principal, need: NeedDto, name: NeedTransitionName): boolean {
  const rule: NeedTransition = NEED_TRANSITIONS[name];
  if (!rule.from.includes(need.status)) return false;
  const secretariat = hasRole(principal, 'secretariat');
  const owner =
    (principal.partyId === need.partyId && hasRole(principal, 'national_contact')) ||
    (secretariat && need.filedOnBehalf);
  return rule.actor === 'owner'
    ? owner
    : rule.actor === 'secretariat'
      ? secretariat
      : owner || secretariat;
}

/** A State's needs: list, declare, edit (with conflict display), submit, and the review steps. */
@ConsoleController('needs')
export class ConsoleNeedsController {
  constructor(
    private readonly pages: ConsolePages,
    private readonly needs: NeedsService,
    private readonly offers: OffersService,
    private readonly matches: MatchesService,
    private readonly review: MatchReviewService,
    private readonly consents: ConsentService,
    private readonly plans: PlansService,
    private readonly parties: PartiesService,
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
    const list = recordListQuery(raw, NEED_STATUSES);
    const filters = list.filters;
    const query: NeedQueryDto = list.query;
    // A national contact sees their own State's needs first ("mine"), everyone's on request.
    const ownState =
      hasRole(principal, 'national_contact') && principal.partyId
        ? (await this.parties.get(principal.partyId)).countryCode
        : null;
    const mine = ownState !== null && filters.mine !== '0';
    if (mine) query.state = ownState!;
    const page = await this.needs.list(principal, query);
    await this.pages.send(req, res, 'needs/list', {
      page,
      filters,
      mine,
      ownState,
      statuses: NEED_STATUSES,
    });
  }

  @Get('new')
  @Roles('national_contact', 'secretariat')
  async newForm(
    @CurrentPrincipal() principal: Principal,
    @Req() req: PageRequest,
    @Res() res: Response,
  ) {
    const values: FormValues = {
      language: principal.language ?? 'en',
      priority: 'medium',
      visibility: 'public',
      'estimatedCost.currency': 'USD',
      controlAreas: [],
      assistanceTypes: [],
      frameworks: [],
    };
    await this.renderForm(req, res, principal, { mode: 'create', values, errors: null });
  }

  @Post()
  @Roles('national_contact', 'secretariat')
  async create(
    @CurrentPrincipal() principal: Principal,
    @Req() req: PageRequest,
    @Res() res: Response,
    @Body() body: FormBody,
  ) {
    const values = submittedNeedValues(body);
    try {
      const dto = await validated(CreateNeedDto, needBody(values, 'create'));
      const need = await this.needs.create(principal, dto);
      res.redirect(303, `/app/needs/${need.id}?done=created`);
    } catch (error) {
      const errors = formErrors(error, [FILING_PARTY, ...NEED_FORM_FIELDS], {
        estimatedCost: 'estimatedCost.amount',
      });
      if (!errors) throw error;
      await this.renderForm(req, res, principal, { mode: 'create', values, errors }, 400);
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
    await this.renderShow(req, res, principal, id, {
      done: typeof done === 'string' ? done : null,
    });
  }

  /** The State consents to the circulation of a need the secretariat filed on its behalf. */
  @Post(':id/consent')
  @Authenticated()
  async consent(
    @CurrentPrincipal() principal: Principal,
    @Res() res: Response,
    @Param('id', IdPipe) id: string,
    @Body() body: FormBody,
  ) {
    await this.consents.consent(principal, id, etagOf(versionOf(body)));
    res.redirect(303, `/app/needs/${id}?done=consent`);
  }

  /** The State objects: the need is withdrawn with its note (required, shown by the field). */
  @Post(':id/object')
  @Authenticated()
  async object(
    @CurrentPrincipal() principal: Principal,
    @Req() req: PageRequest,
    @Res() res: Response,
    @Param('id', IdPipe) id: string,
    @Body() body: FormBody,
  ) {
    const values = { note: typeof body.note === 'string' ? body.note : '' };
    try {
      const dto = await validated(ObjectNeedDto, values);
      await this.consents.object(principal, id, dto.note, etagOf(versionOf(body)));
      res.redirect(303, `/app/needs/${id}?done=object`);
    } catch (error) {
      const errors = formErrors(error, ['note']);
      if (!errors) throw error;
      await this.renderShow(req, res, principal, id, { done: null, values, errors }, 400);
    }
  }

  private async renderShow(
    req: PageRequest,
    res: Response,
    principal: Principal,
    id: string,
    extra: { done: string | null; values?: FormValues; errors?: unknown },
    status = 200,
  ) {
    const need = await this.needs.get(principal, id);
    const lang = (await this.pages.context(req, res)).lang;
    const labels = await this.reference.labels(lang);
    const suggestions = (await this.matches.forNeed(principal, id)).map(toMatchDto);
    const matches = await Promise.all(
      suggestions.map(async (m) => ({
        ...m,
        offer: await this.offers.get(principal, m.offerId).catch(() => null),
        commitments: ['committed', 'in_delivery', 'delivered', 'closed'].includes(m.status)
          ? await this.review.commitments(principal, m.id)
          : [],
      })),
    );
    res.setHeader('ETag', etagOf(need.version));
    await this.pages.send(
      req,
      res,
      'needs/show',
      {
        ...extra,
        need,
        labels,
        matches,
        transitions: NEED_TRANSITION_NAMES.filter((n) => mayFireNeed(principal, need, n)),
        canEdit:
          ['draft', 'submitted', 'under_review'].includes(need.status) &&
          (hasRole(principal, 'secretariat') ||
            (principal.partyId === need.partyId && hasRole(principal, 'national_contact'))),
        canConsent:
          need.consentStatus === 'pending' &&
          principal.partyId === need.partyId &&
          hasRole(principal, 'national_contact'),
      },
      status,
    );
  }

  @Get(':id/edit')
  @Authenticated()
  async editForm(
    @CurrentPrincipal() principal: Principal,
    @Req() req: PageRequest,
    @Res() res: Response,
    @Param('id', IdPipe) id: string,
  ) {
    const need = await this.needs.get(principal, id);
    await this.renderForm(req, res, principal, {
      mode: 'edit',
      need,
      version: need.version,
      values: needValues(need),
      errors: null,
    });
  }

  /** Saves an edit made on version `version`; a newer version shows both side by side. */
  @Post(':id')
  @Authenticated()
  async update(
    @CurrentPrincipal() principal: Principal,
    @Req() req: PageRequest,
    @Res() res: Response,
    @Param('id', IdPipe) id: string,
    @Body() body: FormBody,
  ) {
    const values = submittedNeedValues(body);
    const version = versionOf(body);
    try {
      const dto = await validated(UpdateNeedDto, needBody(values, 'edit'));
      await this.needs.update(principal, id, dto, etagOf(version));
      res.redirect(303, `/app/needs/${id}?done=saved`);
    } catch (error) {
      if (error instanceof AppException && error.code === 'PRECONDITION_FAILED') {
        const current = await this.needs.get(principal, id);
        return this.pages.sendConflict(req, res, {
          kind: 'need',
          id,
          title: current.title,
          currentVersion: current.version,
          yourVersion: version,
          fields: NEED_FORM_FIELDS,
          theirs: needValues(current),
          mine: values,
          codeLists: { controlAreas: 'areas', assistanceTypes: 'types', frameworks: 'frameworks' },
        });
      }
      const errors = formErrors(error, NEED_FORM_FIELDS, { estimatedCost: 'estimatedCost.amount' });
      if (!errors) throw error;
      const need = await this.needs.get(principal, id);
      await this.renderForm(
        req,
        res,
        principal,
        { mode: 'edit', need, version, values, errors },
        400,
      );
    }
  }

  /** submit, review, publish, return (with a note), withdraw, close. */
  @Post(':id/transitions/:name')
  @Authenticated()
  async transition(
    @CurrentPrincipal() principal: Principal,
    @Res() res: Response,
    @Param('id', IdPipe) id: string,
    @Param('name') name: string,
    @Body() body: FormBody,
  ) {
    if (!(NEED_TRANSITION_NAMES as string[]).includes(name))
      throw AppException.notFound('Transition');
    const note = text(body, 'note');
    if (name === 'return' && !note) {
      throw new AppException('VALIDATION_FAILED', 'A note to the State is required', [
        { field: 'note', messages: ['note should not be empty'] },
      ]);
    }
    await this.needs.transition(
      principal,
      id,
      name as NeedTransitionName,
      etagOf(versionOf(body)),
      name === 'return' ? note : undefined,
    );
    res.redirect(303, `/app/needs/${id}?done=${name}`);
  }

  private async renderForm(
    req: PageRequest,
    res: Response,
    principal: Principal,
    data: {
      mode: 'create' | 'edit';
      values: FormValues;
      errors: unknown;
      need?: NeedDto;
      version?: number;
    },
    status = 200,
  ) {
    const lang = (await this.pages.context(req, res)).lang;
    // The secretariat files for a State it picks (the State's plan items once one is picked).
    const onBehalf =
      data.mode === 'create' &&
      hasRole(principal, 'secretariat') &&
      !hasRole(principal, 'national_contact');
    const chosen = data.values[FILING_PARTY];
    const partyId = onBehalf
      ? typeof chosen === 'string' && /^[0-9a-f-]{36}$/i.test(chosen)
        ? chosen
        : null
      : (data.need?.partyId ?? principal.partyId);
    const state = partyId
      ? await this.parties.get(partyId).then(
          (p) => p.countryCode,
          () => null,
        )
      : null;
    const labels = onBehalf ? await this.reference.labels(lang) : null;
    const states = labels
      ? (await this.parties.activeStates())
          .map((p) => ({ value: p.id, label: labels.country(p.countryCode) }))
          .sort((a, b) => a.label.localeCompare(b.label, lang))
      : null;
    const plans = state ? (await this.plans.list(principal, { state, limit: 20 })).items : [];
    const planItems = plans.flatMap((p) =>
      p.items.map((i) => ({ value: i.id, label: `${p.title} — ${i.rank}. ${i.title}` })),
    );
    await this.pages.send(
      req,
      res,
      'needs/form',
      {
        ...data,
        picks: await this.reference.pickLists(lang),
        planItems,
        states,
        priorities: NEED_PRIORITIES,
        visibilities: NEED_VISIBILITY_TIERS,
        action: data.mode === 'create' ? '/app/needs' : `/app/needs/${data.need!.id}`,
      },
      status,
    );
  }
}
