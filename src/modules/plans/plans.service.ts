import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In, SelectQueryBuilder } from 'typeorm';
import { hasRole, Principal } from '../../common/access/roles';
import { AppException } from '../../common/errors';
import { Page } from '../../common/pagination';
import { assertVersion } from '../../common/versioning';
import { AuditService } from '../audit/audit.service';
import { OutboxService } from '../outbox/outbox.service';
import { ReferenceService, unknownFilterValue } from '../reference/reference.service';
import {
  assertSortable,
  controlAreaCodes,
  countriesOf,
  listPage,
  SortKey,
} from '../search/list-search';
import {
  CreatePlanDto,
  PlanDto,
  PlanItemInputDto,
  PlanQueryDto,
  UpdatePlanDto,
} from './dto/plan.dto';
import { resolveFilingParty } from './filing-party';
import {
  EDITABLE_PLAN_STATUSES,
  nextPlanStatus,
  PLAN_TRANSITIONS,
  PlanTransitionName,
} from './plan-lifecycle';
import { Plan, PlanItem } from './plan.entity';
import { assertKnownCodes, reversedWindow } from './reference-checks';

const isForeignKeyViolation = (e: unknown) =>
  (e as { driverError?: { code?: string } })?.driverError?.code === '23503';

const byRank = (a: PlanItem, b: PlanItem) => a.rank - b.rank || a.title.localeCompare(b.title);

export function toPlanDto(plan: Plan, items: PlanItem[]): PlanDto {
  return {
    id: plan.id,
    partyId: plan.partyId,
    state: plan.countryCode,
    title: plan.title,
    periodStart: plan.periodStart,
    periodEnd: plan.periodEnd,
    coordinatingBody: plan.coordinatingBody,
    status: plan.status,
    items: [...items]
      .sort(byRank)
      .map((i) => ({ id: i.id, title: i.title, rank: i.rank, controlAreas: i.controlAreas })),
    createdBy: plan.createdBy,
    createdAt: plan.createdAt,
    updatedAt: plan.updatedAt,
    version: plan.version,
  };
}

/** What the audit trail records of a plan (items included). */
function snapshot(plan: Plan, items: PlanItem[]) {
  const { items: _ignored, ...rest } = plan;
  void _ignored;
  return { ...rest, items: toPlanDto(plan, items).items };
}

@Injectable()
export class PlansService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly reference: ReferenceService,
    private readonly audit: AuditService,
    private readonly outbox: OutboxService,
  ) {}

  /** Drafts are seen by their party and the secretariat; other plans by every signed-in caller. */
  private visible(qb: SelectQueryBuilder<Plan>, principal: Principal): SelectQueryBuilder<Plan> {
    if (principal.kind === 'system' || hasRole(principal, 'secretariat')) return qb;
    if (!principal.partyId) return qb.andWhere(`p.status <> 'draft'`);
    return qb.andWhere(`(p.status <> 'draft' OR p.party_id = :visPartyId)`, {
      visPartyId: principal.partyId,
    });
  }

  private mayChange(principal: Principal, plan: Plan): boolean {
    if (hasRole(principal, 'secretariat')) return true;
    return hasRole(principal, 'national_contact') && principal.partyId === plan.partyId;
  }

  private async checkItemCodes(items: PlanItemInputDto[] | undefined): Promise<void> {
    if (!items) return;
    await assertKnownCodes(
      this.reference,
      items.map((item, i) => ({
        field: `items[${i}].controlAreas`,
        kind: 'area' as const,
        values: item.controlAreas,
      })),
    );
  }

  private async itemsOf(m: EntityManager, planId: string): Promise<PlanItem[]> {
    return m.find(PlanItem, { where: { planId } });
  }

  /** `manager`: run inside the caller's transaction (the bulk import), else in one of its own. */
  async create(
    principal: Principal,
    input: CreatePlanDto,
    manager?: EntityManager,
  ): Promise<PlanDto> {
    await this.checkItemCodes(input.items);
    const ids = input.items.map((i) => i.id).filter(Boolean);
    if (ids.length) {
      throw new AppException('VALIDATION_FAILED', 'Invalid input: items.id', [
        { field: 'items.id', messages: ['a new plan has no item ids yet; omit id'] },
      ]);
    }
    const work = async (m: EntityManager): Promise<PlanDto> => {
      const { party } = await resolveFilingParty(m, principal, input.partyId, 'plan');
      const plan = m.create(Plan, {
        partyId: party.id,
        countryCode: party.countryCode,
        title: input.title,
        periodStart: input.periodStart,
        periodEnd: input.periodEnd,
        coordinatingBody: input.coordinatingBody,
        status: 'draft',
        createdBy: principal.userId,
        version: 1,
      });
      await m.save(plan);
      const items = await m.save(
        input.items.map((i) =>
          m.create(PlanItem, {
            planId: plan.id,
            title: i.title,
            rank: i.rank,
            controlAreas: [...new Set(i.controlAreas)],
          }),
        ),
      );
      await this.audit.record(m, {
        action: 'plan.create',
        entityType: 'plan',
        entityId: plan.id,
        entityPartyId: plan.partyId,
        after: snapshot(plan, items),
      });
      await this.outbox.add(m, {
        type: 'plan.created',
        entityType: 'plan',
        entityId: plan.id,
        version: plan.version,
        partyId: plan.partyId,
      });
      return toPlanDto(plan, items);
    };
    return manager ? work(manager) : this.db.transaction(work);
  }

  /** Filters of the list and the export, visibility included. */
  private async filtered(
    principal: Principal,
    query: PlanQueryDto,
    m: EntityManager = this.db.manager,
  ): Promise<SelectQueryBuilder<Plan>> {
    const catalog = await this.reference.catalog();
    const qb = m.getRepository(Plan).createQueryBuilder('p');
    this.visible(qb, principal);
    // A State's own users see their State's plans; the secretariat and donors see all.
    if (
      !hasRole(principal, 'secretariat', 'donor_focal_point') &&
      principal.partyType === 'state' &&
      principal.partyId
    ) {
      qb.andWhere('p.party_id = :ownParty', { ownParty: principal.partyId });
    }
    if (query.state) {
      const code = catalog.canonicalCode('country', query.state);
      if (!code || code !== query.state.toUpperCase()) {
        throw unknownFilterValue('state', query.state, 'an ISO alpha-3 country code');
      }
      qb.andWhere('p.country_code = :state', { state: code });
    }
    const countries = countriesOf(catalog, query);
    if (countries) {
      if (!countries.length) qb.andWhere('FALSE');
      else
        qb.andWhere('p.country_code IN (:...regionCountries)', {
          regionCountries: countries.map((c) => c.alpha3),
        });
    }
    if (query.status) qb.andWhere('p.status = :status', { status: query.status });
    if (query.controlArea !== undefined) {
      qb.andWhere(
        'EXISTS (SELECT 1 FROM plan_item pi WHERE pi.plan_id = p.id AND pi.control_areas && CAST(ARRAY[:...areas] AS text[]))',
        { areas: controlAreaCodes(catalog, query.controlArea) },
      );
    }
    if (query.from) qb.andWhere('p.period_end >= :from', { from: query.from });
    if (query.to) qb.andWhere('p.period_start <= :to', { to: query.to });
    return qb;
  }

  /** One page of plans (without items), keyset-paginated. */
  async listRows(principal: Principal, query: PlanQueryDto): Promise<Page<Plan>> {
    assertSortable(query.sort, query.q);
    const manager = this.db.manager;
    return listPage({
      qb: await this.filtered(principal, query, manager),
      alias: 'p',
      manager,
      q: query.q,
      sort: query.sort ?? 'date',
      keys: (relevance) => {
        const byId: SortKey = { sql: 'p.id', type: 'uuid' };
        return {
          date: [{ sql: 'p.created_at', type: 'timestamptz' }, byId],
          relevance: [{ sql: relevance, type: 'real' }, byId],
        };
      },
      cursor: query.cursor,
      limit: query.limit ?? 50,
    });
  }

  /** The plans with their items. */
  async withItems(plans: Plan[]): Promise<PlanDto[]> {
    const items = plans.length
      ? await this.db.getRepository(PlanItem).find({
          where: { planId: In(plans.map((p) => p.id)) },
        })
      : [];
    return plans.map((p) =>
      toPlanDto(
        p,
        items.filter((i) => i.planId === p.id),
      ),
    );
  }

  async list(principal: Principal, query: PlanQueryDto): Promise<Page<PlanDto>> {
    const page = await this.listRows(principal, query);
    return { items: await this.withItems(page.items), nextCursor: page.nextCursor };
  }

  /** The plan if the caller may see it (404 otherwise), optionally locked for a change. */
  private async load(
    m: EntityManager,
    principal: Principal,
    id: string,
    lock = false,
  ): Promise<Plan> {
    const qb = m.getRepository(Plan).createQueryBuilder('p').where('p.id = :id', { id });
    this.visible(qb, principal);
    if (lock) qb.setLock('pessimistic_write');
    const plan = await qb.getOne();
    if (!plan) throw AppException.notFound('Plan');
    return plan;
  }

  async get(principal: Principal, id: string): Promise<PlanDto> {
    const plan = await this.load(this.db.manager, principal, id);
    return toPlanDto(plan, await this.itemsOf(this.db.manager, id));
  }

  /** Locks a visible plan, checks who may change it, then the If-Match precondition. */
  private async loadForChange(
    m: EntityManager,
    principal: Principal,
    id: string,
    ifMatch: string | undefined,
  ): Promise<Plan> {
    const plan = await this.load(m, principal, id, true);
    if (!this.mayChange(principal, plan)) {
      throw new AppException(
        'FORBIDDEN',
        "Only the State's national contacts or the secretariat may change this plan",
      );
    }
    assertVersion(ifMatch, plan.version);
    return plan;
  }

  async update(
    principal: Principal,
    id: string,
    input: UpdatePlanDto,
    ifMatch: string | undefined,
    manager?: EntityManager,
  ): Promise<PlanDto> {
    for (const key of Object.keys(input) as (keyof UpdatePlanDto)[]) {
      if (input[key] === null) {
        throw new AppException('VALIDATION_FAILED', `Invalid input: ${key}`, [
          { field: key, messages: [`${key} may not be null`] },
        ]);
      }
    }
    await this.checkItemCodes(input.items);
    const work = async (m: EntityManager): Promise<PlanDto> => {
      const plan = await this.loadForChange(m, principal, id, ifMatch);
      if (!EDITABLE_PLAN_STATUSES.includes(plan.status)) {
        throw new AppException(
          'CONFLICT',
          `A plan that is ${plan.status} cannot be edited (revise it first)`,
          { currentStatus: plan.status, editableIn: EDITABLE_PLAN_STATUSES },
        );
      }
      const existing = await this.itemsOf(m, id);
      const before = snapshot({ ...plan }, existing);
      if (input.title !== undefined) plan.title = input.title;
      if (input.periodStart !== undefined) plan.periodStart = input.periodStart;
      if (input.periodEnd !== undefined) plan.periodEnd = input.periodEnd;
      if (input.coordinatingBody !== undefined) plan.coordinatingBody = input.coordinatingBody;
      if (plan.periodStart > plan.periodEnd) throw reversedWindow('periodStart', 'periodEnd');
      let items = existing;
      if (input.items) items = await this.replaceItems(m, plan, existing, input.items);
      plan.version += 1;
      await m.save(plan);
      await this.audit.record(m, {
        action: 'plan.update',
        entityType: 'plan',
        entityId: plan.id,
        entityPartyId: plan.partyId,
        before,
        after: snapshot(plan, items),
      });
      await this.outbox.add(m, {
        type: 'plan.updated',
        entityType: 'plan',
        entityId: plan.id,
        version: plan.version,
        partyId: plan.partyId,
      });
      return toPlanDto(plan, items);
    };
    return manager ? work(manager) : this.db.transaction(work);
  }

  /** Items named by id are updated in place (same id); others are new; unnamed old ones go. */
  private async replaceItems(
    m: EntityManager,
    plan: Plan,
    existing: PlanItem[],
    input: PlanItemInputDto[],
  ): Promise<PlanItem[]> {
    const byId = new Map(existing.map((i) => [i.id, i]));
    const seen = new Set<string>();
    const problems: { field: string; messages: string[]; values: string[] }[] = [];
    input.forEach((item, i) => {
      if (!item.id) return;
      if (seen.has(item.id)) {
        throw new AppException('VALIDATION_FAILED', `Invalid input: items[${i}].id`, [
          { field: `items[${i}].id`, messages: ['the same item id is given twice'] },
        ]);
      }
      seen.add(item.id);
      if (!byId.has(item.id)) {
        problems.push({
          field: `items[${i}].id`,
          messages: [`${item.id} is not an item of this plan`],
          values: [item.id],
        });
      }
    });
    if (problems.length) {
      throw new AppException('UNKNOWN_REFERENCE', 'Unknown plan item ids', problems);
    }
    const removed = existing.filter((i) => !seen.has(i.id)).map((i) => i.id);
    if (removed.length) {
      try {
        await m.delete(PlanItem, { id: In(removed) });
      } catch (error) {
        if (isForeignKeyViolation(error)) {
          throw new AppException(
            'CONFLICT',
            'An item that needs link to cannot be removed; keep it (by id) or unlink the needs first',
          );
        }
        throw error;
      }
    }
    const rows = input.map((item) => {
      const row = item.id ? byId.get(item.id)! : m.create(PlanItem, { planId: plan.id });
      row.title = item.title;
      row.rank = item.rank;
      row.controlAreas = [...new Set(item.controlAreas)];
      return row;
    });
    return rows.length ? m.save(rows) : [];
  }

  async transition(
    principal: Principal,
    id: string,
    transition: PlanTransitionName,
    ifMatch: string | undefined,
  ): Promise<PlanDto> {
    return this.db.transaction(async (m) => {
      const plan = await this.loadForChange(m, principal, id, ifMatch);
      const to = nextPlanStatus(plan.status, transition);
      const before = { status: plan.status };
      plan.status = to;
      plan.version += 1;
      await m.save(plan);
      await this.audit.record(m, {
        action: `plan.${transition}`,
        entityType: 'plan',
        entityId: plan.id,
        entityPartyId: plan.partyId,
        before,
        after: { status: to },
      });
      await this.outbox.add(m, {
        type: PLAN_TRANSITIONS[transition].event,
        entityType: 'plan',
        entityId: plan.id,
        version: plan.version,
        partyId: plan.partyId,
      });
      return toPlanDto(plan, await this.itemsOf(m, id));
    });
  }

  /** The plan item `itemId` if it belongs to a plan of `partyId` (for needs linking to it). */
  async itemOfParty(m: EntityManager, itemId: string, partyId: string): Promise<PlanItem | null> {
    return m
      .getRepository(PlanItem)
      .createQueryBuilder('i')
      .innerJoin(Plan, 'p', 'p.id = i.plan_id')
      .where('i.id = :itemId AND p.party_id = :partyId', { itemId, partyId })
      .getOne();
  }
}
