import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, SelectQueryBuilder } from 'typeorm';
import { hasRole, Principal } from '../../common/access/roles';
import { AppException } from '../../common/errors';
import { preparedQuery, statementName, toPositional } from '../../common/prepared-query';
import { Page } from '../../common/pagination';
import { assertVersion } from '../../common/versioning';
import { AppConfig } from '../../config/app-config';
import { AuditService } from '../audit/audit.service';
import { addWorkingDays } from '../review/working-days';
import { todayUtc } from '../exchange-rates/calendar-date';
import { ExchangeRatesService } from '../exchange-rates/exchange-rates.service';
import { OutboxService } from '../outbox/outbox.service';
import { resolveFilingParty } from '../plans/filing-party';
import { PlansService } from '../plans/plans.service';
import { assertKnownCodes, reversedWindow } from '../plans/reference-checks';
import { ReferenceService, unknownFilterValue } from '../reference/reference.service';
import {
  assertCostRange,
  assertSortable,
  controlAreaCodes,
  countriesOf,
  listJsonPage,
  listPage,
  ListSpec,
  SortKey,
} from '../search/list-search';
import {
  CreateNeedDto,
  MoneyDto,
  NeedDto,
  NeedQueryDto,
  NON_NULLABLE_NEED_FIELDS,
  UpdateNeedDto,
} from './dto/need.dto';
import {
  EDITABLE_NEED_STATUSES,
  NEED_TRANSITIONS,
  NeedTransition,
  NeedTransitionName,
  nextStatus,
} from './need-lifecycle';
import { needVisibilityWhere } from './need-visibility';
import { Need } from './need.entity';

const num = (v: string | number) => Number(v);
const unique = (values: string[]) => [...new Set(values)];

export function toNeedDto(n: Need): NeedDto {
  return {
    id: n.id,
    partyId: n.partyId,
    state: n.countryCode,
    title: n.title,
    description: n.description,
    language: n.language,
    controlAreas: n.controlAreas,
    assistanceTypes: n.assistanceTypes,
    frameworks: n.frameworks,
    priority: n.priority,
    rank: n.rank,
    estimatedCost: { amount: num(n.estimatedAmount), currency: n.estimatedCurrency },
    estimatedCostUsd: num(n.estimatedUsd),
    usdRate: num(n.usdRate),
    rateDate: n.rateDate,
    coveredUsd: num(n.coveredUsd),
    earliestStart: n.earliestStart,
    neededBy: n.neededBy,
    visibility: n.visibility,
    planItemId: n.planItemId,
    location: n.location,
    implementer: n.implementer,
    status: n.status,
    statusNote: n.statusNote,
    filedOnBehalf: n.filedOnBehalf,
    consentStatus: n.consentStatus ?? null,
    consentDeadline: n.consentDeadline ?? null,
    createdBy: n.createdBy,
    submittedAt: n.submittedAt,
    publishedAt: n.publishedAt,
    createdAt: n.createdAt,
    updatedAt: n.updatedAt,
    version: n.version,
  };
}

/**
 * A need's API representation as stored JSON text (`need.api_json`): `toNeedDto` written in
 * SQL, kept by a trigger from the row itself on every insert and update (migration
 * NeedApiJson), so the list and the read pass it straight through.
 */
export const NEED_JSON_SQL = 'n.api_json';

/** Amounts as fixed two-decimal strings, as numeric(18,2) stores them. */
const money = (amount: number) => amount.toFixed(2);

@Injectable()
export class NeedsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly reference: ReferenceService,
    private readonly rates: ExchangeRatesService,
    private readonly plans: PlansService,
    private readonly audit: AuditService,
    private readonly outbox: OutboxService,
    private readonly config: AppConfig,
  ) {}

  private checkCodes(input: Partial<CreateNeedDto>): Promise<void> {
    return assertKnownCodes(this.reference, [
      { field: 'controlAreas', kind: 'area', values: input.controlAreas },
      { field: 'assistanceTypes', kind: 'assistanceType', values: input.assistanceTypes },
      { field: 'frameworks', kind: 'framework', values: input.frameworks },
    ]);
  }

  private async checkPlanItem(m: EntityManager, itemId: string, partyId: string): Promise<void> {
    if (!(await this.plans.itemOfParty(m, itemId, partyId))) {
      throw new AppException(
        'UNKNOWN_REFERENCE',
        'planItemId is not an item of a plan of this State',
        [
          {
            field: 'planItemId',
            messages: ["planItemId must name an item of the requesting State's plan"],
            values: [itemId],
          },
        ],
      );
    }
  }

  private async convert(m: EntityManager, need: Need, cost: MoneyDto, date: string) {
    const amount = money(cost.amount);
    const usd = await this.rates.toUsd(m, amount, cost.currency, date);
    need.estimatedAmount = amount;
    need.estimatedCurrency = cost.currency;
    need.estimatedUsd = usd.usd;
    need.usdRate = usd.rate;
    need.rateDate = usd.rateDate;
  }

  /** `manager`: run inside the caller's transaction (the bulk import), else in one of its own. */
  async create(
    principal: Principal,
    input: CreateNeedDto,
    manager?: EntityManager,
  ): Promise<NeedDto> {
    await this.checkCodes(input);
    const work = async (m: EntityManager): Promise<NeedDto> => {
      const { party, onBehalf } = await resolveFilingParty(m, principal, input.partyId, 'need');
      if (input.planItemId) await this.checkPlanItem(m, input.planItemId, party.id);
      const need = m.create(Need, {
        partyId: party.id,
        countryCode: party.countryCode,
        title: input.title,
        description: input.description,
        language: input.language,
        controlAreas: unique(input.controlAreas),
        assistanceTypes: unique(input.assistanceTypes),
        frameworks: unique(input.frameworks),
        priority: input.priority,
        rank: input.rank ?? null,
        earliestStart: input.earliestStart ?? null,
        neededBy: input.neededBy,
        visibility: input.visibility,
        planItemId: input.planItemId ?? null,
        location: input.location || null,
        implementer: input.implementer || null,
        status: 'draft',
        statusNote: null,
        filedOnBehalf: onBehalf,
        createdBy: principal.userId,
        submittedAt: null,
        publishedAt: null,
        coveredUsd: '0',
        version: 1,
      });
      // Converted at the rate for the creation date (today, UTC).
      await this.convert(m, need, input.estimatedCost, todayUtc());
      await m.save(need);
      await this.audit.record(m, {
        action: 'need.create',
        entityType: 'need',
        entityId: need.id,
        entityPartyId: need.partyId,
        after: need,
        metadata: onBehalf ? { filedOnBehalf: true } : undefined,
      });
      await this.outbox.add(m, {
        type: 'need.created',
        entityType: 'need',
        entityId: need.id,
        version: need.version,
        partyId: need.partyId,
      });
      return toNeedDto(need);
    };
    return manager ? work(manager) : this.db.transaction(work);
  }

  /** Filters of the list (and of the count and the export), visibility always included. */
  async filtered(
    principal: Principal,
    query: NeedQueryDto,
    manager: EntityManager = this.db.manager,
  ): Promise<SelectQueryBuilder<Need>> {
    const vis = needVisibilityWhere(principal, 'n');
    const qb = manager.getRepository(Need).createQueryBuilder('n').where(vis.sql, vis.params);
    const catalog = await this.reference.catalog();
    if (query.state !== undefined) {
      const code = catalog.canonicalCode('country', query.state);
      if (!code) throw unknownFilterValue('state', query.state, 'an ISO alpha-3 country code');
      qb.andWhere('n.country_code = :state', { state: code });
    }
    const countries = countriesOf(catalog, query);
    if (countries) {
      if (!countries.length) qb.andWhere('FALSE');
      else
        // One array parameter, not one parameter per country (54 for Africa): the same plan
        // (PostgreSQL reads an IN list as `= ANY` of an array), less to build, send and parse.
        qb.andWhere('n.country_code = ANY(CAST(:regionCountries AS bpchar[]))', {
          regionCountries: countries.map((c) => c.alpha3),
        });
    }
    if (query.status) qb.andWhere('n.status = :status', { status: query.status });
    if (query.priority) qb.andWhere('n.priority = :priority', { priority: query.priority });
    if (query.controlArea !== undefined) {
      // A need tagged with a whole series also concerns each module of it.
      const areas = controlAreaCodes(catalog, query.controlArea);
      qb.andWhere('n.control_areas && CAST(ARRAY[:...areas] AS text[])', { areas });
    }
    if (query.assistanceType !== undefined) {
      if (!catalog.canonicalCode('assistanceType', query.assistanceType)) {
        throw unknownFilterValue('assistanceType', query.assistanceType, 'an assistance type code');
      }
      qb.andWhere('n.assistance_types @> CAST(ARRAY[:assistanceType] AS text[])', {
        assistanceType: query.assistanceType,
      });
    }
    if (query.framework !== undefined) {
      if (!catalog.canonicalCode('framework', query.framework)) {
        throw unknownFilterValue('framework', query.framework, 'a framework code');
      }
      qb.andWhere('n.frameworks @> CAST(ARRAY[:framework] AS text[])', {
        framework: query.framework,
      });
    }
    assertCostRange(query.minCost, query.maxCost);
    if (query.minCost !== undefined)
      qb.andWhere('n.estimated_usd >= :minCost', { minCost: query.minCost });
    if (query.maxCost !== undefined)
      qb.andWhere('n.estimated_usd <= :maxCost', { maxCost: query.maxCost });
    // Window overlap: [earliestStart (or open), neededBy] meets [from, to].
    if (query.from) qb.andWhere('n.needed_by >= :from', { from: query.from });
    if (query.to)
      qb.andWhere('(n.earliest_start IS NULL OR n.earliest_start <= :to)', { to: query.to });
    return qb;
  }

  /** The sort keys of the list (the last one unique), per sort. */
  private static sortKeys(relevance: string): Record<string, SortKey[]> {
    const byId: SortKey = { sql: 'n.id', type: 'uuid' };
    const byDate: SortKey = { sql: 'n.created_at', type: 'timestamptz' };
    return {
      date: [byDate, byId],
      '-createdAt': [byDate, byId],
      createdAt: [byDate, byId],
      priority: [{ sql: 'n.priority_weight', type: 'smallint' }, byDate, byId],
      cost: [{ sql: 'n.estimated_usd', type: 'numeric' }, byId],
      relevance: [{ sql: relevance, type: 'real' }, byId],
    };
  }

  /** The filtered, text-searched list of one page (list-search's ListSpec). */
  private async listSpec(principal: Principal, query: NeedQueryDto): Promise<ListSpec<Need>> {
    assertSortable(query.sort, query.q);
    const sort = query.sort ?? 'date';
    const manager = this.db.manager;
    return {
      qb: await this.filtered(principal, query, manager),
      alias: 'n',
      manager,
      q: query.q,
      sort,
      keys: NeedsService.sortKeys,
      direction: sort === 'createdAt' ? 'ASC' : 'DESC',
      cursor: query.cursor,
      limit: query.limit ?? 50,
    };
  }

  /** One page of the filtered list, keyset-paginated on the sort's key values and the id. */
  async listRows(principal: Principal, query: NeedQueryDto): Promise<Page<Need>> {
    return listPage(await this.listSpec(principal, query));
  }

  async list(principal: Principal, query: NeedQueryDto): Promise<Page<NeedDto>> {
    const page = await this.listRows(principal, query);
    return { items: page.items.map(toNeedDto), nextCursor: page.nextCursor };
  }

  /** `list` as JSON text, built by PostgreSQL (the hot path of GET /needs). */
  async listJson(principal: Principal, query: NeedQueryDto): Promise<string> {
    return listJsonPage(await this.listSpec(principal, query), NEED_JSON_SQL);
  }

  /** How many needs the caller may see under these filters (cursor and limit ignored). */
  async count(principal: Principal, query: NeedQueryDto): Promise<number> {
    return (await this.filtered(principal, query)).getCount();
  }

  /** The need if the caller may see it (404 otherwise), optionally locked FOR UPDATE. */
  private async load(
    m: EntityManager,
    principal: Principal,
    id: string,
    lock = false,
  ): Promise<Need> {
    const vis = needVisibilityWhere(principal, 'n');
    const qb = m
      .getRepository(Need)
      .createQueryBuilder('n')
      .where('n.id = :id', { id })
      .andWhere(vis.sql, vis.params);
    if (lock) qb.setLock('pessimistic_write');
    const need = await qb.getOne();
    if (!need) throw AppException.notFound('Need');
    return need;
  }

  async get(principal: Principal, id: string): Promise<NeedDto> {
    return toNeedDto(await this.load(this.db.manager, principal, id));
  }

  /** `get` as JSON text built by PostgreSQL, with the version for the ETag (GET /needs/:id). */
  async getJson(principal: Principal, id: string): Promise<{ json: string; version: number }> {
    const vis = needVisibilityWhere(principal, 'n');
    const values: unknown[] = [id];
    const text = `SELECT ${NEED_JSON_SQL} AS json, n.version FROM need n
      WHERE n.id = $1 AND ${toPositional(vis.sql, vis.params, values)}`;
    const [row] = await preparedQuery<{ json: string; version: number }>(
      this.db,
      statementName('need-read', text),
      text,
      values,
    );
    if (!row) throw AppException.notFound('Need');
    return row;
  }

  private isOwner(principal: Principal, need: Need): boolean {
    return hasRole(principal, 'national_contact') && principal.partyId === need.partyId;
  }

  private mayAct(principal: Principal, need: Need, actor: NeedTransition['actor']): boolean {
    const secretariat = hasRole(principal, 'secretariat');
    switch (actor) {
      case 'owner':
        // The secretariat acts for the State on a need it filed on the State's behalf.
        return this.isOwner(principal, need) || (secretariat && need.filedOnBehalf);
      case 'secretariat':
        return secretariat;
      case 'owner_or_secretariat':
        return this.isOwner(principal, need) || secretariat;
    }
  }

  /** 404 if not visible, 403 if visible but not the caller's to change, then If-Match. */
  private async loadForChange(
    m: EntityManager,
    principal: Principal,
    id: string,
    ifMatch: string | undefined,
    actor: NeedTransition['actor'],
  ): Promise<Need> {
    const need = await this.load(m, principal, id, true);
    if (!this.mayAct(principal, need, actor)) {
      const who = {
        owner: "the State's national contacts",
        secretariat: 'the secretariat',
        owner_or_secretariat: "the State's national contacts or the secretariat",
      }[actor];
      throw new AppException('FORBIDDEN', `Only ${who} may do this`);
    }
    assertVersion(ifMatch, need.version);
    return need;
  }

  async update(
    principal: Principal,
    id: string,
    input: UpdateNeedDto,
    ifMatch: string | undefined,
    manager?: EntityManager,
  ): Promise<NeedDto> {
    const nulls = NON_NULLABLE_NEED_FIELDS.filter((f) => input[f] === null);
    if (nulls.length) {
      throw new AppException(
        'VALIDATION_FAILED',
        `Invalid input: ${nulls.join(', ')}`,
        nulls.map((field) => ({ field, messages: [`${field} may not be null`] })),
      );
    }
    await this.checkCodes(input);
    const work = async (m: EntityManager): Promise<NeedDto> => {
      const need = await this.loadForChange(m, principal, id, ifMatch, 'owner_or_secretariat');
      if (!EDITABLE_NEED_STATUSES.includes(need.status)) {
        throw new AppException(
          'CONFLICT',
          `A need that is ${need.status} can no longer be edited`,
          {
            currentStatus: need.status,
            editableIn: EDITABLE_NEED_STATUSES,
          },
        );
      }
      const before = { ...need };
      if (input.title !== undefined) need.title = input.title;
      if (input.description !== undefined) need.description = input.description;
      if (input.language !== undefined) need.language = input.language;
      if (input.controlAreas !== undefined) need.controlAreas = unique(input.controlAreas);
      if (input.assistanceTypes !== undefined) need.assistanceTypes = unique(input.assistanceTypes);
      if (input.frameworks !== undefined) need.frameworks = unique(input.frameworks);
      if (input.priority !== undefined) need.priority = input.priority;
      if (input.rank !== undefined) need.rank = input.rank;
      if (input.earliestStart !== undefined) need.earliestStart = input.earliestStart;
      if (input.neededBy !== undefined) need.neededBy = input.neededBy;
      if (input.visibility !== undefined) need.visibility = input.visibility;
      if (input.location !== undefined) need.location = input.location || null;
      if (input.implementer !== undefined) need.implementer = input.implementer || null;
      if (need.earliestStart && need.earliestStart > need.neededBy) {
        throw reversedWindow('earliestStart', 'neededBy');
      }
      if (input.planItemId !== undefined) {
        if (input.planItemId) await this.checkPlanItem(m, input.planItemId, need.partyId);
        need.planItemId = input.planItemId;
      }
      const cost = input.estimatedCost;
      if (
        cost &&
        (money(cost.amount) !== money(Number(need.estimatedAmount)) ||
          cost.currency !== need.estimatedCurrency)
      ) {
        // Re-converted at the rate for the need's creation date, so its USD basis stays put.
        await this.convert(m, need, cost, todayUtc(need.createdAt));
      }
      need.version += 1;
      await m.save(need);
      await this.audit.record(m, {
        action: 'need.update',
        entityType: 'need',
        entityId: need.id,
        entityPartyId: need.partyId,
        before,
        after: need,
      });
      await this.outbox.add(m, {
        type: 'need.updated',
        entityType: 'need',
        entityId: need.id,
        version: need.version,
        partyId: need.partyId,
      });
      return toNeedDto(need);
    };
    return manager ? work(manager) : this.db.transaction(work);
  }

  async transition(
    principal: Principal,
    id: string,
    name: NeedTransitionName,
    ifMatch: string | undefined,
    note?: string,
  ): Promise<NeedDto> {
    const rule: NeedTransition = NEED_TRANSITIONS[name];
    return this.db.transaction(async (m) => {
      const need = await this.loadForChange(m, principal, id, ifMatch, rule.actor);
      const to = nextStatus(need.status, name);
      const before = { ...need };
      const now = new Date();
      need.status = to;
      if (name === 'submit') need.submittedAt = now;
      if (name === 'publish') need.publishedAt = now;
      if (name === 'publish' && need.filedOnBehalf && need.consentStatus !== 'given') {
        // Filed on the State's behalf: circulates on its consent or after the no-objection period.
        need.consentStatus = 'pending';
        need.consentDeadline = addWorkingDays(now, this.config.env.NO_OBJECTION_WORKING_DAYS);
      }
      if (name === 'return') need.statusNote = note ?? null;
      need.version += 1;
      await m.save(need);
      await this.audit.record(m, {
        action: `need.${name}`,
        entityType: 'need',
        entityId: need.id,
        entityPartyId: need.partyId,
        before,
        after: need,
        metadata: { from: before.status, to },
      });
      await this.outbox.add(m, {
        type: rule.event,
        entityType: 'need',
        entityId: need.id,
        version: need.version,
        partyId: need.partyId,
      });
      return toNeedDto(need);
    });
  }
}
