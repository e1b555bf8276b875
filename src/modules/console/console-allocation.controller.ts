import { Body, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Roles } from '../../common/access/access.decorators';
import { CurrentPrincipal } from '../../common/access/current-principal.decorator';
import { Principal } from '../../common/access/roles';
import { AppException, FieldProblem } from '../../common/errors';
import { IdPipe } from '../../common/id.pipe';
import { AllocationController } from '../allocation/allocation.controller';
import { AllocationService } from '../allocation/allocation.service';
import {
  AllocationDto,
  AllocationQueryDto,
  CreateAllocationDto,
} from '../allocation/dto/allocation.dto';
import { NORMALISATIONS } from '../allocation/model/problem';
import { NeedsService } from '../needs/needs.service';
import { OffersService } from '../offers/offers.service';
import { PartiesService } from '../parties/parties.service';
import { ConsoleController } from './console-controller.decorator';
import { ConsolePages, PageRequest } from './console-pages.service';
import { ConsoleReference } from './console-reference';
import { FormValues, listQuery } from './console-records';
import { FormBody, formErrors, FormErrors, list, numberOrRaw, text, validated } from './forms';

/** Fairness-floor rows on the form (blank rows are left out). */
export const FLOOR_ROWS = 3;
const FLOOR_PARTS = ['region', 'group', 'minUsd', 'minShare'] as const;

/** The request form's fields, named as in the API body (nested with dots). */
export const ALLOCATION_FIELDS = [
  'scope.region',
  'scope.group',
  'scope.state',
  'scope.controlArea',
  'scope.offerIds',
  'weights.high',
  'weights.medium',
  'weights.low',
  'normalisation',
  'integer',
  'timeLimitSeconds',
  'mipRelGap',
  ...Array.from({ length: FLOOR_ROWS }, (_, i) =>
    FLOOR_PARTS.map((p) => `floors.${i}.${p}`),
  ).flat(),
];

/** Rows of the run page's tables; the rest is in the CSV export. */
const TABLE_ROWS = 100;

/** The form as first shown: the API's defaults. */
const DEFAULT_VALUES: FormValues = {
  'weights.high': '3',
  'weights.medium': '2',
  'weights.low': '1',
  normalisation: 'need_cost',
  integer: '',
  timeLimitSeconds: '60',
  mipRelGap: '0.0001',
};

/** The form as typed, to show it again beside its errors. */
export function allocationValues(body: FormBody): FormValues {
  const out: FormValues = {};
  for (const f of ALLOCATION_FIELDS)
    out[f] = f === 'scope.offerIds' ? list(body, f) : text(body, f);
  return out;
}

/**
 * The API's POST body for the form, and which form row each floor came from (blank rows are
 * dropped, so `floors.<n>` of the body may be another row of the form). Blank fields are left
 * out so the API's defaults apply; a ticked "whole projects" box is `true`.
 */
export function allocationBody(v: FormValues): { body: Record<string, unknown>; rows: number[] } {
  const s = (f: string) => (v[f] as string | undefined) ?? '';
  const body: Record<string, unknown> = {};
  const scope: Record<string, unknown> = {};
  for (const f of ['region', 'group', 'state', 'controlArea']) {
    if (s(`scope.${f}`)) scope[f] = s(`scope.${f}`);
  }
  const offerIds = v['scope.offerIds'];
  if (Array.isArray(offerIds) && offerIds.length) scope.offerIds = offerIds;
  if (Object.keys(scope).length) body.scope = scope;
  if (s('weights.high') || s('weights.medium') || s('weights.low')) {
    body.weights = {
      high: numberOrRaw(s('weights.high')),
      medium: numberOrRaw(s('weights.medium')),
      low: numberOrRaw(s('weights.low')),
    };
  }
  if (s('normalisation')) body.normalisation = s('normalisation');
  const integer = s('integer');
  body.integer = integer === '' ? false : integer === 'true' ? true : integer;
  if (s('timeLimitSeconds')) body.timeLimitSeconds = numberOrRaw(s('timeLimitSeconds'));
  if (s('mipRelGap')) body.mipRelGap = numberOrRaw(s('mipRelGap'));
  const floors: Record<string, unknown>[] = [];
  const rows: number[] = [];
  for (let i = 0; i < FLOOR_ROWS; i++) {
    const floor: Record<string, unknown> = {};
    for (const p of FLOOR_PARTS) {
      const value = s(`floors.${i}.${p}`);
      if (value) floor[p] = p.startsWith('min') ? numberOrRaw(value) : value;
    }
    if (Object.keys(floor).length) {
      floors.push(floor);
      rows.push(i);
    }
  }
  if (floors.length) body.floors = floors;
  return { body, rows };
}

/**
 * The API's field names as the form's: `floors.<n>` of the body is the n-th non-blank row; a
 * problem with a whole floor goes next to its region, one with all floors next to the first.
 */
export function formFieldOf(field: string, rows: number[]): string {
  const floor = /^floors\.(\d+)(?:\.(\w+))?$/.exec(field);
  if (floor) return `floors.${rows[Number(floor[1])] ?? 0}.${floor[2] ?? 'region'}`;
  if (field === 'floors') return `floors.${rows[0] ?? 0}.minShare`;
  if (field === 'weights' || field === 'scope')
    return `${field}.${field === 'scope' ? 'region' : 'high'}`;
  return field;
}

function remapped(error: unknown, rows: number[]): unknown {
  if (!(error instanceof AppException) || !Array.isArray(error.details)) return error;
  return new AppException(
    error.code,
    error.message,
    (error.details as FieldProblem[]).map((d) =>
      typeof d?.field === 'string' ? { ...d, field: formFieldOf(d.field, rows) } : d,
    ),
  );
}

/** What a run page shows per donor: the optimal proposal's amounts from each donor's offers. */
interface DonorRow {
  partyId: string;
  name: string;
  offers: number;
  pairs: number;
  proposedUsd: number;
  greedyUsd: number;
}

/** What a run's stats keep of the greedy baseline (per need and offer: USD given). */
interface GreedyStats {
  proposedUsd: number;
  meetsFloors: boolean;
  perNeed?: Record<string, number>;
  perOffer?: Record<string, number>;
}

const cents = (usd: number) => Math.round(usd * 100) / 100;

/**
 * Allocation proposals: the request form, the runs, and a run's proposal beside the greedy
 * baseline. Secretariat and admins only, like every `/coordination/allocations` route.
 */
@ConsoleController('allocation')
export class ConsoleAllocationController {
  /** The API's CSV export, reused as it is. */
  private readonly api: AllocationController;

  constructor(
    private readonly pages: ConsolePages,
    private readonly allocations: AllocationService,
    private readonly needs: NeedsService,
    private readonly offers: OffersService,
    private readonly parties: PartiesService,
    private readonly reference: ConsoleReference,
  ) {
    this.api = new AllocationController(allocations);
  }

  @Get()
  @Roles('secretariat', 'admin')
  async index(
    @CurrentPrincipal() principal: Principal,
    @Req() req: PageRequest,
    @Res() res: Response,
    @Query() raw: Record<string, unknown>,
  ) {
    await this.renderIndex(req, res, principal, listQuery(raw, ['cursor', 'status']), {
      values: DEFAULT_VALUES,
      errors: null,
    });
  }

  @Post()
  @Roles('secretariat', 'admin')
  async request(
    @CurrentPrincipal() principal: Principal,
    @Req() req: PageRequest,
    @Res() res: Response,
    @Body() body: FormBody,
  ) {
    const values = allocationValues(body);
    const { body: plain, rows } = allocationBody(values);
    try {
      const dto = await validated(CreateAllocationDto, plain);
      const { id } = await this.allocations.request(principal, dto);
      res.redirect(303, `/app/allocation/${id}`);
    } catch (error) {
      const errors = formErrors(remapped(error, rows), ALLOCATION_FIELDS);
      if (!errors) throw error;
      await this.renderIndex(req, res, principal, {}, { values, errors }, 400);
    }
  }

  @Get(':id')
  @Roles('secretariat', 'admin')
  async show(
    @CurrentPrincipal() principal: Principal,
    @Req() req: PageRequest,
    @Res() res: Response,
    @Param('id', IdPipe) id: string,
  ) {
    const run = await this.allocations.get(id);
    const lang = (await this.pages.context(req, res)).lang;
    await this.pages.send(req, res, 'coordination/allocation-run', {
      run,
      ...(run.status === 'succeeded' ? await this.proposal(principal, run) : {}),
      labels: await this.reference.labels(lang),
    });
  }

  @Get(':id/export.csv')
  @Roles('secretariat', 'admin')
  async exportCsv(@Res() res: Response, @Param('id', IdPipe) id: string) {
    await this.api.export(id, res);
  }

  private async renderIndex(
    req: PageRequest,
    res: Response,
    principal: Principal,
    filters: Record<string, string>,
    form: { values: FormValues; errors: FormErrors | null },
    status = 200,
  ) {
    const query = await validated(AllocationQueryDto, { ...filters, limit: 25 });
    const [runs, offers] = await Promise.all([
      this.allocations.list(query),
      this.offers.list(principal, { status: 'active', limit: 200 }),
    ]);
    const lang = (await this.pages.context(req, res)).lang;
    await this.pages.send(
      req,
      res,
      'coordination/allocation',
      {
        runs,
        values: form.values,
        errors: form.errors,
        floorRows: FLOOR_ROWS,
        normalisations: NORMALISATIONS,
        offers: offers.items.map((o) => ({ value: o.id, label: o.title })),
        picks: await this.reference.pickLists(lang),
      },
      status,
    );
  }

  /** The proposal's per-need and per-donor figures, with titles and names. */
  private async proposal(principal: Principal, run: AllocationDto) {
    const greedy = (run.stats as { greedy?: GreedyStats } | null)?.greedy ?? null;
    const greedyPerNeed = greedy?.perNeed ?? {};
    const greedyPerOffer = greedy?.perOffer ?? {};
    const byNeed = new Map<string, { offers: Set<string>; pairs: number }>();
    const byOffer = new Map<string, { proposedUsd: number; pairs: number }>();
    for (const a of run.assignments) {
      const n = byNeed.get(a.needId) ?? { offers: new Set(), pairs: 0 };
      n.offers.add(a.offerId);
      n.pairs += 1;
      byNeed.set(a.needId, n);
      const o = byOffer.get(a.offerId) ?? { proposedUsd: 0, pairs: 0 };
      o.proposedUsd += a.amountUsd;
      o.pairs += 1;
      byOffer.set(a.offerId, o);
    }
    const needs = [...(run.comparison?.needs ?? [])].sort(
      (a, b) => b.proposedUsd - a.proposedUsd || a.needId.localeCompare(b.needId),
    );
    const needIds = needs.slice(0, TABLE_ROWS).map((n) => n.needId);
    const needRows = needIds.length
      ? await (
          await this.needs.filtered(principal, {})
        )
          .andWhere('n.id IN (:...consoleNeedIds)', { consoleNeedIds: needIds })
          .getMany()
      : [];
    const needInfo = new Map(needRows.map((n) => [n.id, { title: n.title, state: n.countryCode }]));
    const offerIds = [...new Set([...byOffer.keys(), ...Object.keys(greedyPerOffer)])];
    const offerRows = offerIds.length
      ? await (
          await this.offers.filtered(principal, {})
        )
          .andWhere('o.id IN (:...consoleOfferIds)', { consoleOfferIds: offerIds })
          .getMany()
      : [];
    const donors = new Map<string, DonorRow>();
    for (const offer of offerRows) {
      const figures = byOffer.get(offer.id) ?? { proposedUsd: 0, pairs: 0 };
      const row = donors.get(offer.partyId) ?? {
        partyId: offer.partyId,
        name: (await this.parties.get(offer.partyId)).name,
        offers: 0,
        pairs: 0,
        proposedUsd: 0,
        greedyUsd: 0,
      };
      if (figures.pairs) row.offers += 1;
      row.pairs += figures.pairs;
      row.proposedUsd = cents(row.proposedUsd + figures.proposedUsd);
      row.greedyUsd = cents(row.greedyUsd + (greedyPerOffer[offer.id] ?? 0));
      donors.set(offer.partyId, row);
    }
    // Needs the greedy baseline funds and the proposal does not (told as one line).
    const proposed = new Set(needs.map((n) => n.needId));
    const greedyOnly = Object.entries(greedyPerNeed).filter(([id]) => !proposed.has(id));
    return {
      needs: needs.slice(0, TABLE_ROWS).map((n) => ({
        ...n,
        title: needInfo.get(n.needId)?.title ?? n.needId,
        state: needInfo.get(n.needId)?.state ?? '',
        offers: byNeed.get(n.needId)?.offers.size ?? 0,
        greedyUsd: greedyPerNeed[n.needId] ?? 0,
      })),
      greedyOnly: {
        count: greedyOnly.length,
        usd: cents(greedyOnly.reduce((s, [, v]) => s + v, 0)),
      },
      moreNeeds: Math.max(0, needs.length - TABLE_ROWS),
      donors: [...donors.values()]
        .sort(
          (a, b) =>
            b.proposedUsd - a.proposedUsd ||
            b.greedyUsd - a.greedyUsd ||
            a.name.localeCompare(b.name),
        )
        .slice(0, TABLE_ROWS),
      greedy,
      /** How much more the optimal proposal is worth than the greedy one (objective ratio − 1). */
      gain:
        run.objective !== null && run.greedyObjective
          ? run.objective / run.greedyObjective - 1
          : null,
    };
  }
}
