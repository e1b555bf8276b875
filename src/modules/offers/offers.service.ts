import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, SelectQueryBuilder } from 'typeorm';
import { hasRole, Principal } from '../../common/access/roles';
import { AppException, FieldProblem } from '../../common/errors';
import { Page } from '../../common/pagination';
import { assertVersion } from '../../common/versioning';
import { AuditService } from '../audit/audit.service';
import { todayUtc } from '../exchange-rates/calendar-date';
import { ExchangeRatesService } from '../exchange-rates/exchange-rates.service';
import { OutboxService } from '../outbox/outbox.service';
import { Party } from '../parties/party.entity';
import { ReferenceService, unknownFilterValue } from '../reference/reference.service';
import {
  assertCostRange,
  assertSortable,
  controlAreaCodes,
  countriesOf,
  listPage,
  SortKey,
} from '../search/list-search';
import {
  BudgetDto,
  CreateOfferDto,
  EligibilityDto,
  OfferDto,
  OfferQueryDto,
  UpdateOfferDto,
} from './dto/offer.dto';
import {
  Eligibility,
  EligibilityField,
  regionCodesOf,
  resolveEligibility,
  resolveCountry,
} from './eligibility';
import {
  nextOfferStatus,
  OFFER_EDITABLE,
  OFFER_LIFECYCLE,
  OfferTransition,
} from './offer-lifecycle';
import { Offer } from './offer.entity';

const num = (value: string | null) => (value === null ? null : Number(value));
const money = (value: number | undefined) => (value === undefined ? null : String(value));

/** Fields of a PATCH that may not be cleared (only `conditions` is nullable). */
const REQUIRED_FIELDS = [
  'title',
  'description',
  'controlAreas',
  'assistanceTypes',
  'eligibility',
  'budget',
  'startDate',
  'endDate',
  'languages',
  'modality',
] as const;

export function toOfferDto(o: Offer): OfferDto {
  const totalUsd = Number(o.totalUsd);
  const committedUsd = Number(o.committedUsd);
  return {
    id: o.id,
    partyId: o.partyId,
    title: o.title,
    description: o.description,
    controlAreas: o.controlAreas,
    assistanceTypes: o.assistanceTypes,
    eligibility: {
      regions: o.eligibilityRegions,
      groups: o.eligibilityGroups,
      countries: o.eligibilityCountries,
      excludeCountries: o.excludeCountries,
    },
    budget: {
      total: Number(o.budgetTotal),
      currency: o.budgetCurrency,
      minPerProject: num(o.minPerProject),
      maxPerProject: num(o.maxPerProject),
    },
    totalUsd,
    rateDate: o.rateDate,
    committedUsd,
    remainingUsd: Math.round((totalUsd - committedUsd) * 100) / 100,
    startDate: o.startDate,
    endDate: o.endDate,
    languages: o.languages,
    modality: o.modality,
    conditions: o.conditions,
    status: o.status,
    version: o.version,
    createdAt: o.createdAt,
    updatedAt: o.updatedAt,
  };
}

function invalid(problems: FieldProblem[]): AppException {
  return new AppException(
    'VALIDATION_FAILED',
    `Invalid input: ${problems.map((p) => p.field).join(', ')}`,
    problems,
  );
}

/** min ≤ max ≤ total, each bound ≤ total. */
export function budgetProblems(b: BudgetDto): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (b.minPerProject !== undefined && b.minPerProject > b.total) {
    problems.push({
      field: 'budget.minPerProject',
      messages: ['minPerProject must not exceed total'],
    });
  }
  if (b.maxPerProject !== undefined && b.maxPerProject > b.total) {
    problems.push({
      field: 'budget.maxPerProject',
      messages: ['maxPerProject must not exceed total'],
    });
  }
  if (
    b.minPerProject !== undefined &&
    b.maxPerProject !== undefined &&
    b.minPerProject > b.maxPerProject
  ) {
    problems.push({
      field: 'budget.minPerProject',
      messages: ['minPerProject must not exceed maxPerProject'],
    });
  }
  return problems;
}

interface ResolvedCodes {
  controlAreas?: string[];
  assistanceTypes?: string[];
  eligibility?: Eligibility;
}

/**
 * Capacity offers: create, edit, lifecycle, visibility (drafts only to their party and the
 * secretariat). Every change is audited and leaves an outbox event in the same transaction.
 */
@Injectable()
export class OffersService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly reference: ReferenceService,
    private readonly rates: ExchangeRatesService,
    private readonly audit: AuditService,
    private readonly outbox: OutboxService,
  ) {}

  private static isSecretariat(principal: Principal): boolean {
    return hasRole(principal, 'secretariat');
  }

  /** Drafts are seen only by their party and the secretariat; everything else by all. */
  private visible(principal: Principal, offer: Offer): boolean {
    return (
      offer.status !== 'draft' ||
      OffersService.isSecretariat(principal) ||
      (!!principal.partyId && principal.partyId === offer.partyId)
    );
  }

  private assertMayManage(principal: Principal, offer: Offer): void {
    if (OffersService.isSecretariat(principal)) return;
    if (
      principal.partyId &&
      principal.partyId === offer.partyId &&
      hasRole(principal, 'donor_focal_point')
    ) {
      return;
    }
    throw new AppException(
      'FORBIDDEN',
      "Only the offering party's donor focal points or the secretariat may change this offer",
    );
  }

  /** Canonical codes for what is given; 422 UNKNOWN_REFERENCE listing every unknown value per field. */
  private async resolveCodes(input: {
    controlAreas?: string[];
    assistanceTypes?: string[];
    eligibility?: EligibilityDto;
  }): Promise<ResolvedCodes> {
    const catalog = await this.reference.catalog();
    const problems: (FieldProblem & { values: string[] })[] = [];
    const out: ResolvedCodes = {};
    const report = (field: string, values: string[], what: string) => {
      if (!values.length) return;
      problems.push({
        field,
        values,
        messages: values.map((v) => `"${v}" is not a known ${what}`),
      });
    };
    if (input.controlAreas) {
      report('controlAreas', catalog.unknownCodes('area', input.controlAreas), 'control area code');
      out.controlAreas = [...new Set(input.controlAreas)];
    }
    if (input.assistanceTypes) {
      report(
        'assistanceTypes',
        catalog.unknownCodes('assistanceType', input.assistanceTypes),
        'assistance type code',
      );
      out.assistanceTypes = [...new Set(input.assistanceTypes)];
    }
    if (input.eligibility) {
      const { eligibility, unknown } = resolveEligibility(catalog, input.eligibility);
      const what: Record<EligibilityField, string> = {
        regions: 'M49 region, sub-region or intermediate region (name or code)',
        groups: 'UN regional group code',
        countries: 'country (ISO alpha-2, alpha-3, M49 code or English name)',
        excludeCountries: 'country (ISO alpha-2, alpha-3, M49 code or English name)',
      };
      for (const field of Object.keys(what) as EligibilityField[]) {
        report(`eligibility.${field}`, unknown[field] ?? [], what[field]);
      }
      out.eligibility = eligibility;
    }
    if (problems.length) {
      throw new AppException(
        'UNKNOWN_REFERENCE',
        `Unknown reference codes in ${problems.map((p) => p.field).join(', ')}`,
        problems,
      );
    }
    return out;
  }

  private async convertBudget(m: EntityManager, budget: BudgetDto) {
    return this.rates.toUsd(
      m,
      String(budget.total),
      budget.currency,
      todayUtc(),
      'budget.currency',
    );
  }

  /** `manager`: run inside the caller's transaction (the bulk import), else in one of its own. */
  async create(
    principal: Principal,
    input: CreateOfferDto,
    manager?: EntityManager,
  ): Promise<OfferDto> {
    if (
      input.partyId &&
      input.partyId !== principal.partyId &&
      !OffersService.isSecretariat(principal)
    ) {
      throw new AppException(
        'FORBIDDEN',
        'Only the secretariat may offer on behalf of another party',
      );
    }
    const partyId = input.partyId ?? principal.partyId;
    if (!partyId) {
      throw invalid([{ field: 'partyId', messages: ['partyId is required for this caller'] }]);
    }
    const problems = budgetProblems(input.budget);
    if (input.startDate > input.endDate) {
      problems.push({ field: 'endDate', messages: ['endDate must not be before startDate'] });
    }
    if (problems.length) throw invalid(problems);
    const codes = await this.resolveCodes({ ...input, eligibility: input.eligibility ?? {} });

    const work = async (m: EntityManager): Promise<OfferDto> => {
      const party = await m.findOne(Party, { where: { id: partyId } });
      if (!party || !party.active) {
        throw new AppException('UNKNOWN_REFERENCE', 'Unknown or inactive party', [
          { field: 'partyId', messages: [`${partyId} is not an active party`], values: [partyId] },
        ]);
      }
      const usd = await this.convertBudget(m, input.budget);
      const eligibility = codes.eligibility!;
      const offer = m.create(Offer, {
        partyId,
        title: input.title,
        description: input.description,
        controlAreas: codes.controlAreas,
        assistanceTypes: codes.assistanceTypes,
        eligibilityRegions: eligibility.regions,
        eligibilityGroups: eligibility.groups,
        eligibilityCountries: eligibility.countries,
        excludeCountries: eligibility.excludeCountries,
        budgetTotal: String(input.budget.total),
        budgetCurrency: input.budget.currency,
        minPerProject: money(input.budget.minPerProject),
        maxPerProject: money(input.budget.maxPerProject),
        totalUsd: usd.usd,
        rateDate: usd.rateDate,
        committedUsd: '0',
        startDate: input.startDate,
        endDate: input.endDate,
        languages: [...new Set(input.languages)],
        modality: input.modality,
        conditions: input.conditions ?? null,
        status: 'draft',
        createdBy: principal.userId,
        version: 1,
      });
      await m.save(offer);
      const saved = toOfferDto(await m.findOneByOrFail(Offer, { id: offer.id }));
      await this.audit.record(m, {
        action: 'offer.create',
        entityType: 'offer',
        entityId: saved.id,
        entityPartyId: partyId,
        after: saved,
        metadata: { rate: usd.rate, rateDate: usd.rateDate },
      });
      await this.outbox.add(m, {
        type: 'offer.created',
        entityType: 'offer',
        entityId: saved.id,
        version: saved.version,
        partyId,
      });
      return saved;
    };
    return manager ? work(manager) : this.db.transaction(work);
  }

  async get(principal: Principal, id: string): Promise<OfferDto> {
    const offer = await this.db.manager.findOne(Offer, { where: { id } });
    if (!offer || !this.visible(principal, offer)) throw AppException.notFound('Offer');
    return toOfferDto(offer);
  }

  /** Loads the row FOR UPDATE, then 404 (absent or invisible), 403 (not the owner), 428/412. */
  private async lockForChange(
    m: EntityManager,
    principal: Principal,
    id: string,
    ifMatch: string | undefined,
  ): Promise<Offer> {
    const offer = await m.findOne(Offer, { where: { id }, lock: { mode: 'pessimistic_write' } });
    if (!offer || !this.visible(principal, offer)) throw AppException.notFound('Offer');
    this.assertMayManage(principal, offer);
    assertVersion(ifMatch, offer.version);
    return offer;
  }

  async update(
    principal: Principal,
    id: string,
    ifMatch: string | undefined,
    input: UpdateOfferDto,
    manager?: EntityManager,
  ): Promise<OfferDto> {
    const nulls = REQUIRED_FIELDS.filter((f) => (input as Record<string, unknown>)[f] === null);
    if (nulls.length) {
      throw invalid(nulls.map((f) => ({ field: f, messages: [`${f} must not be null`] })));
    }
    if (input.budget) {
      const problems = budgetProblems(input.budget);
      if (problems.length) throw invalid(problems);
    }
    const work = async (m: EntityManager): Promise<OfferDto> => {
      const offer = await this.lockForChange(m, principal, id, ifMatch);
      if (!OFFER_EDITABLE.includes(offer.status)) {
        throw new AppException(
          'CONFLICT',
          `An offer that is ${offer.status} cannot be edited (only ${OFFER_EDITABLE.join(', ')})`,
          { currentStatus: offer.status, editableIn: OFFER_EDITABLE },
        );
      }
      const startDate = input.startDate ?? offer.startDate;
      const endDate = input.endDate ?? offer.endDate;
      if (startDate > endDate) {
        throw invalid([{ field: 'endDate', messages: ['endDate must not be before startDate'] }]);
      }
      const codes = await this.resolveCodes(input);
      const before = toOfferDto(offer);

      if (input.title !== undefined) offer.title = input.title;
      if (input.description !== undefined) offer.description = input.description;
      if (codes.controlAreas) offer.controlAreas = codes.controlAreas;
      if (codes.assistanceTypes) offer.assistanceTypes = codes.assistanceTypes;
      if (codes.eligibility) {
        offer.eligibilityRegions = codes.eligibility.regions;
        offer.eligibilityGroups = codes.eligibility.groups;
        offer.eligibilityCountries = codes.eligibility.countries;
        offer.excludeCountries = codes.eligibility.excludeCountries;
      }
      let rate: { rate: string; rateDate: string } | undefined;
      if (input.budget) {
        const usd = await this.convertBudget(m, input.budget);
        if (Number(usd.usd) < Number(offer.committedUsd)) {
          throw new AppException(
            'CONFLICT',
            `The budget (${usd.usd} USD) would be below what is already committed (${offer.committedUsd} USD)`,
          );
        }
        offer.budgetTotal = String(input.budget.total);
        offer.budgetCurrency = input.budget.currency;
        offer.minPerProject = money(input.budget.minPerProject);
        offer.maxPerProject = money(input.budget.maxPerProject);
        offer.totalUsd = usd.usd;
        offer.rateDate = usd.rateDate;
        rate = usd;
      }
      offer.startDate = startDate;
      offer.endDate = endDate;
      if (input.languages !== undefined) offer.languages = [...new Set(input.languages)];
      if (input.modality !== undefined) offer.modality = input.modality;
      if (input.conditions !== undefined) offer.conditions = input.conditions ?? null;

      const changed = toOfferDto(offer);
      const same =
        JSON.stringify({ ...changed, updatedAt: null }) ===
        JSON.stringify({ ...before, updatedAt: null });
      if (same) return before;

      offer.version += 1;
      await m.save(offer);
      const saved = toOfferDto(await m.findOneByOrFail(Offer, { id }));
      await this.audit.record(m, {
        action: 'offer.update',
        entityType: 'offer',
        entityId: id,
        entityPartyId: offer.partyId,
        before,
        after: saved,
        metadata: rate ? { rate: rate.rate, rateDate: rate.rateDate } : undefined,
      });
      await this.outbox.add(m, {
        type: 'offer.updated',
        entityType: 'offer',
        entityId: id,
        version: saved.version,
        partyId: offer.partyId,
      });
      return saved;
    };
    return manager ? work(manager) : this.db.transaction(work);
  }

  async transition(
    principal: Principal,
    id: string,
    transition: OfferTransition,
    ifMatch: string | undefined,
  ): Promise<OfferDto> {
    return this.db.transaction(async (m) => {
      const offer = await this.lockForChange(m, principal, id, ifMatch);
      const from = offer.status;
      const to = nextOfferStatus(from, transition);
      offer.status = to;
      offer.version += 1;
      await m.save(offer);
      const saved = toOfferDto(await m.findOneByOrFail(Offer, { id }));
      await this.audit.record(m, {
        action: `offer.${transition}`,
        entityType: 'offer',
        entityId: id,
        entityPartyId: offer.partyId,
        before: { status: from },
        after: { status: to },
      });
      await this.outbox.add(m, {
        type: OFFER_LIFECYCLE[transition].event,
        entityType: 'offer',
        entityId: id,
        version: saved.version,
        partyId: offer.partyId,
      });
      return saved;
    });
  }

  /** Filters of the list and the export; drafts only to their party and the secretariat. */
  async filtered(
    principal: Principal,
    query: OfferQueryDto,
    m: EntityManager = this.db.manager,
  ): Promise<SelectQueryBuilder<Offer>> {
    const catalog = await this.reference.catalog();
    const qb = m.getRepository(Offer).createQueryBuilder('o');
    if (!OffersService.isSecretariat(principal)) {
      if (principal.partyId) {
        qb.andWhere(`(o.status <> 'draft' OR o.party_id = :viewerParty)`, {
          viewerParty: principal.partyId,
        });
      } else {
        qb.andWhere(`o.status <> 'draft'`);
      }
    }
    if (query.status) qb.andWhere('o.status = :status', { status: query.status });
    if (query.partyId) qb.andWhere('o.party_id = :partyId', { partyId: query.partyId });
    if (query.controlArea !== undefined) {
      qb.andWhere('o.control_areas && :areaCodes', {
        areaCodes: controlAreaCodes(catalog, query.controlArea),
      });
    }
    if (query.assistanceType !== undefined) {
      if (!catalog.canonicalCode('assistanceType', query.assistanceType)) {
        throw unknownFilterValue(
          'assistanceType',
          query.assistanceType,
          `one of ${catalog.assistanceTypes.map((t) => t.code).join(', ')}`,
        );
      }
      qb.andWhere(':assistanceType = ANY(o.assistance_types)', {
        assistanceType: query.assistanceType,
      });
    }
    if (query.from && query.to && query.from > query.to) {
      throw invalid([{ field: 'to', messages: ['to must not be before from'] }]);
    }
    if (query.from) qb.andWhere('o.end_date >= :from', { from: query.from });
    if (query.to) qb.andWhere('o.start_date <= :to', { to: query.to });
    assertCostRange(query.minCost, query.maxCost);
    if (query.minCost !== undefined)
      qb.andWhere('o.total_usd >= :minCost', { minCost: query.minCost });
    if (query.maxCost !== undefined)
      qb.andWhere('o.total_usd <= :maxCost', { maxCost: query.maxCost });
    if (query.state !== undefined) {
      const country = resolveCountry(catalog, query.state);
      if (!country) {
        throw unknownFilterValue('state', query.state, 'an ISO 3166-1 alpha-3 country code');
      }
      qb.andWhere(
        `((cardinality(o.eligibility_regions) = 0 AND cardinality(o.eligibility_groups) = 0
            AND cardinality(o.eligibility_countries) = 0)
          OR o.eligibility_regions && :stateRegions
          OR o.eligibility_groups && :stateGroups
          OR :stateCode = ANY(o.eligibility_countries))
         AND NOT (:stateCode = ANY(o.exclude_countries))`,
        {
          stateRegions: regionCodesOf(country),
          stateGroups: country.regionalGroup ? [country.regionalGroup] : [],
          stateCode: country.alpha3,
        },
      );
    }
    // region / group: offers at least one State of the area may be eligible for.
    const countries = countriesOf(catalog, query);
    if (countries) {
      const alpha3 = countries.map((c) => c.alpha3);
      qb.andWhere(
        `((cardinality(o.eligibility_regions) = 0 AND cardinality(o.eligibility_groups) = 0
            AND cardinality(o.eligibility_countries) = 0)
          OR o.eligibility_regions && :areaRegions
          OR o.eligibility_groups && :areaGroups
          OR o.eligibility_countries && :areaCountries)
         AND NOT (o.exclude_countries @> :areaCountries)`,
        {
          areaRegions: [...new Set(countries.flatMap(regionCodesOf))],
          areaGroups: [
            ...new Set(countries.flatMap((c) => (c.regionalGroup ? [c.regionalGroup] : []))),
          ],
          areaCountries: alpha3,
        },
      );
    }
    return qb;
  }

  /** One page, keyset-paginated on the sort's key values and the id. */
  async listRows(principal: Principal, query: OfferQueryDto): Promise<Page<Offer>> {
    assertSortable(query.sort, query.q);
    const manager = this.db.manager;
    return listPage({
      qb: await this.filtered(principal, query, manager),
      alias: 'o',
      manager,
      q: query.q,
      sort: query.sort ?? 'date',
      keys: (relevance) => {
        const byId: SortKey = { sql: 'o.id', type: 'uuid' };
        return {
          date: [{ sql: 'o.created_at', type: 'timestamptz' }, byId],
          cost: [{ sql: 'o.total_usd', type: 'numeric' }, byId],
          relevance: [{ sql: relevance, type: 'real' }, byId],
        };
      },
      cursor: query.cursor,
      limit: query.limit ?? 50,
    });
  }

  async list(principal: Principal, query: OfferQueryDto): Promise<Page<OfferDto>> {
    const page = await this.listRows(principal, query);
    return { items: page.items.map(toOfferDto), nextCursor: page.nextCursor };
  }
}
