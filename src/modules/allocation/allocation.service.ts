import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Response } from 'express';
import { DataSource, EntityManager } from 'typeorm';
import type { Principal } from '../../common/access/roles';
import { AppException, FieldProblem } from '../../common/errors';
import { decodeCursor, Page, toPage } from '../../common/pagination';
import { QueueService } from '../../queue/queue.service';
import { AuditService } from '../audit/audit.service';
import { ReferenceCatalog, ReferenceService } from '../reference/reference.service';
import { CsvColumns, streamCsv } from '../search/csv';
import { controlAreaCodes } from '../search/list-search';
import { AllocationRun } from './allocation-run.entity';
import type {
  AllocationParams,
  AssignmentRow,
  NeedSnapshot,
  RunError,
  RunStats,
} from './allocation.types';
import {
  AllocationDto,
  AllocationQueryDto,
  AllocationSummaryDto,
  CreateAllocationDto,
  NeedComparisonDto,
} from './dto/allocation.dto';
import {
  buildProblem,
  DEFAULT_PRIORITY_WEIGHTS,
  FloorInput,
  NeedInput,
  objectiveOf,
  OfferInput,
  PairInput,
  Priority,
  ProblemInput,
  solverInput,
} from './model/problem';
import { bindingConstraints } from './model/solution';
import { meetsFloors } from './solvers/greedy';
import { SolveOutcome } from './solvers/solve';
import { solveInThread } from './solvers/solve-runner';

const OPEN_NEED_STATUSES = ['published', 'partially_covered'];
const usd = (cents: number) => Math.round(cents) / 100;
const cents = (value: string | number | null) => (value === null ? null : Number(value));

/** The solves of this process, one at a time: two concurrent ones would only share two cores. */
let solving: Promise<unknown> = Promise.resolve();

export function toSummaryDto(run: AllocationRun): AllocationSummaryDto {
  return {
    id: run.id,
    status: run.status,
    progress: run.progress,
    integer: run.integerVersion,
    params: run.params as unknown as Record<string, unknown>,
    requestedBy: run.requestedBy,
    objective: run.objective,
    lpObjective: run.lpObjective,
    gap: run.gap,
    greedyObjective: run.greedyObjective,
    lpOverGreedy: run.lpOverGreedy,
    solveSeconds: run.solveSeconds,
    stats: run.stats as unknown as Record<string, unknown> | null,
    error: run.error as unknown as Record<string, unknown> | null,
    createdAt: run.createdAt,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
  };
}

interface LoadedWorld {
  input: ProblemInput;
  /** Per need (by index): estimated and covered cents, for the comparison. */
  needFacts: { estimatedCents: number; coveredCents: number }[];
}

/**
 * Allocation proposals: who could fund what so that the most important needs are covered,
 * within every envelope and limit. A run is a job (queue `allocation`); its result is stored
 * on the run and is only ever a proposal: nothing here writes to needs, offers, matches or
 * commitments. Only the secretariat (and admins) request and read runs: a run weighs every
 * donor's envelope against every need, which no single donor or State may see whole.
 */
@Injectable()
export class AllocationService {
  private readonly logger = new Logger('Allocation');

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly queues: QueueService,
    private readonly audit: AuditService,
    private readonly reference: ReferenceService,
  ) {}

  /** Codes in their stored form; an unknown code in the body → 422 naming the field. */
  async normalise(input: CreateAllocationDto): Promise<AllocationParams> {
    const catalog = await this.reference.catalog();
    const problems: FieldProblem[] = [];
    const unknown = (field: string, value: string, expected: string) =>
      problems.push({
        field,
        messages: [`${field} "${value}" is not recognised: expected ${expected}`],
      });
    const scope: AllocationParams['scope'] = {};
    const s = input.scope ?? {};
    if (s.region !== undefined) {
      const code = catalog.canonicalCode('region', s.region);
      if (code) scope.region = code;
      else
        unknown(
          'scope.region',
          s.region,
          'an M49 region, sub-region or intermediate region name or code',
        );
    }
    if (s.group !== undefined) {
      const code = catalog.canonicalCode('group', s.group);
      if (code) scope.group = code;
      else unknown('scope.group', s.group, 'a regional group code');
    }
    if (s.state !== undefined) {
      const code = catalog.canonicalCode('country', s.state);
      if (code) scope.state = code;
      else unknown('scope.state', s.state, 'an ISO alpha-3 country code');
    }
    if (s.controlArea !== undefined) {
      if (catalog.canonicalCode('area', s.controlArea)) scope.controlArea = s.controlArea;
      else unknown('scope.controlArea', s.controlArea, 'a control area module or series code');
    }
    if (s.offerIds?.length) {
      const found: { id: string }[] = await this.db.query(
        `SELECT id FROM offer WHERE id = ANY($1::uuid[])`,
        [s.offerIds],
      );
      const known = new Set(found.map((r) => r.id));
      const missing = s.offerIds.filter((id) => !known.has(id));
      if (missing.length) {
        problems.push({
          field: 'scope.offerIds',
          messages: [`No such offer: ${missing.join(', ')}`],
        });
      }
      scope.offerIds = s.offerIds;
    }
    const floors: AllocationParams['floors'] = [];
    const badFloors: FieldProblem[] = [];
    (input.floors ?? []).forEach((f, index) => {
      const field = `floors.${index}`;
      if ((f.region === undefined) === (f.group === undefined)) {
        badFloors.push({ field, messages: [`${field} must name exactly one of region and group`] });
        return;
      }
      if (f.minUsd === undefined && f.minShare === undefined) {
        badFloors.push({ field, messages: [`${field} must give minUsd, minShare or both`] });
        return;
      }
      const kind = f.region !== undefined ? 'region' : 'group';
      const value = (f.region ?? f.group)!;
      const code = catalog.canonicalCode(kind, value);
      if (!code) {
        unknown(
          `${field}.${kind}`,
          value,
          kind === 'region' ? 'an M49 region name or code' : 'a regional group code',
        );
        return;
      }
      if (floors.some((g) => g.kind === kind && g.code === code)) {
        badFloors.push({ field, messages: [`${field} repeats the floor of ${kind} ${code}`] });
        return;
      }
      floors.push({
        kind,
        code,
        ...(f.minUsd !== undefined ? { minUsd: f.minUsd } : {}),
        ...(f.minShare !== undefined ? { minShare: f.minShare } : {}),
      });
    });
    if (badFloors.length) {
      throw new AppException(
        'VALIDATION_FAILED',
        `Invalid input: ${badFloors.map((b) => b.field).join(', ')}`,
        badFloors,
      );
    }
    const shares = floors.reduce((sum, f) => sum + (f.minShare ?? 0), 0);
    if (shares > 1 + 1e-9) {
      problems.push({
        field: 'floors',
        messages: [`The floors' shares add up to ${shares}, more than 1`],
      });
    }
    if (problems.length) {
      throw new AppException(
        'UNKNOWN_REFERENCE',
        `Unacceptable input: ${problems.map((p) => p.field).join(', ')}`,
        problems,
      );
    }
    return {
      scope,
      weights: input.weights
        ? { high: input.weights.high, medium: input.weights.medium, low: input.weights.low }
        : { ...DEFAULT_PRIORITY_WEIGHTS },
      normalisation: input.normalisation ?? 'need_cost',
      integer: input.integer ?? false,
      timeLimitSeconds: input.timeLimitSeconds ?? 60,
      mipRelGap: input.mipRelGap ?? 1e-4,
      floors,
    };
  }

  /** `POST /coordination/allocations`: records the run (audited) and queues its job. */
  async request(principal: Principal, input: CreateAllocationDto): Promise<{ id: string }> {
    const params = await this.normalise(input);
    const run = await this.db.transaction(async (m) => {
      const [row] = (await m.query(
        `INSERT INTO allocation_run (integer_version, params, requested_by) VALUES ($1, $2, $3) RETURNING id`,
        [params.integer, JSON.stringify(params), principal.userId],
      )) as { id: string }[];
      await this.audit.record(m, {
        action: 'allocation.request',
        entityType: 'allocation_run',
        entityId: row.id,
        after: { status: 'queued', ...params },
      });
      return row;
    });
    try {
      await this.queues.enqueue('allocation.solve', { runId: run.id }, { jobId: run.id });
    } catch (error) {
      await this.db.getRepository(AllocationRun).update(run.id, {
        status: 'failed',
        error: { code: 'FAILED', message: 'The job queue was unreachable' },
        finishedAt: new Date(),
      });
      throw new AppException(
        'NOT_READY',
        `The job queue is unreachable: ${(error as Error).message}`,
      );
    }
    return { id: run.id };
  }

  async list(query: AllocationQueryDto): Promise<Page<AllocationSummaryDto>> {
    const limit = query.limit ?? 50;
    const qb = this.db
      .getRepository(AllocationRun)
      .createQueryBuilder('r')
      .select([
        'r.id',
        'r.status',
        'r.progress',
        'r.integerVersion',
        'r.params',
        'r.requestedBy',
        'r.objective',
        'r.lpObjective',
        'r.gap',
        'r.greedyObjective',
        'r.lpOverGreedy',
        'r.solveSeconds',
        'r.stats',
        'r.error',
        'r.createdAt',
        'r.startedAt',
        'r.finishedAt',
      ])
      .orderBy('r.created_at', 'DESC')
      .addOrderBy('r.id', 'DESC')
      .limit(limit + 1);
    if (query.status) qb.andWhere('r.status = :status', { status: query.status });
    const cursor = decodeCursor(query.cursor, 2);
    if (cursor) {
      const [at, id] = cursor.map(String);
      if (Number.isNaN(Date.parse(at)) || !/^[0-9a-f-]{36}$/i.test(id)) {
        throw new AppException('VALIDATION_FAILED', 'Invalid cursor', [
          { field: 'cursor', messages: ['cursor is not valid'] },
        ]);
      }
      qb.andWhere('(r.created_at, r.id) < (CAST(:at AS timestamptz), CAST(:id AS uuid))', {
        at,
        id,
      });
    }
    const page = toPage(await qb.getMany(), limit, (r) => [r.createdAt.toISOString(), r.id]);
    return { items: page.items.map(toSummaryDto), nextCursor: page.nextCursor };
  }

  private async load(id: string): Promise<AllocationRun> {
    const run = await this.db.getRepository(AllocationRun).findOne({ where: { id } });
    if (!run) throw AppException.notFound('Allocation');
    return run;
  }

  async get(id: string): Promise<AllocationDto> {
    const run = await this.load(id);
    return {
      ...toSummaryDto(run),
      assignments: run.assignments ?? [],
      comparison: run.status === 'succeeded' ? await this.comparison(run) : null,
    };
  }

  /** Per need given something: committed when computed and now, proposed, coverage. */
  private async comparison(run: AllocationRun): Promise<AllocationDto['comparison']> {
    const snapshot = run.needSnapshot ?? [];
    const ids = snapshot.map((n) => n.needId);
    const rows: { need_id: string; committed: string }[] = ids.length
      ? await this.db.query(
          `SELECT need_id, round(sum(amount_usd) * 100)::bigint AS committed
             FROM commitment WHERE need_id = ANY($1::uuid[]) GROUP BY need_id`,
          [ids],
        )
      : [];
    const now = new Map(rows.map((r) => [r.need_id, Number(r.committed) / 100]));
    const needs: NeedComparisonDto[] = snapshot.map((n) => {
      const committedNowUsd = now.get(n.needId) ?? 0;
      const ratio = (v: number) => (n.estimatedUsd > 0 ? Math.min(1, v / n.estimatedUsd) : 0);
      return {
        needId: n.needId,
        priority: n.priority,
        estimatedUsd: n.estimatedUsd,
        committedAtSolveUsd: n.coveredUsd,
        committedNowUsd,
        proposedUsd: n.proposedUsd,
        coverageNow: ratio(committedNowUsd),
        coverageWithProposal: ratio(committedNowUsd + n.proposedUsd),
        changedSinceSolve: Math.abs(committedNowUsd - n.coveredUsd) >= 0.01,
      };
    });
    const stats = run.stats;
    return {
      totals: {
        needsInScope: stats?.needs ?? 0,
        needsGivenSomething: needs.length,
        needsFullyCoveredByProposal: stats?.needsFullyCovered ?? 0,
        uncoveredUsd: stats?.uncoveredUsd ?? 0,
        committedNowUsd: usd(needs.reduce((s, n) => s + Math.round(n.committedNowUsd * 100), 0)),
        proposedUsd: stats?.proposedUsd ?? 0,
      },
      needs,
    };
  }

  /** The assignments as CSV, each with its need's commitments now (one row per pair). */
  async exportCsv(res: Response, id: string): Promise<void> {
    const run = await this.get(id);
    if (run.status !== 'succeeded') {
      throw new AppException('CONFLICT', `The allocation is ${run.status}: nothing to export yet`);
    }
    const byNeed = new Map((run.comparison?.needs ?? []).map((n) => [n.needId, n]));
    const columns: CsvColumns<AssignmentRow> = {
      header: [
        'need_id',
        'offer_id',
        'priority',
        'score',
        'amount_usd',
        'need_estimated_usd',
        'need_committed_now_usd',
        'need_proposed_total_usd',
        'binding_constraints',
      ],
      row: (a) => {
        const need = byNeed.get(a.needId);
        return [
          a.needId,
          a.offerId,
          a.priority,
          a.score,
          a.amountUsd.toFixed(2),
          need?.estimatedUsd.toFixed(2),
          need?.committedNowUsd.toFixed(2),
          need?.proposedUsd.toFixed(2),
          a.reason.bindingConstraints,
        ];
      },
    };
    async function* batches() {
      yield run.assignments as AssignmentRow[];
    }
    await streamCsv(res, `allocation-${id}.csv`, columns, batches());
  }

  /** Reads the scope's needs, offers and eligible pairs in one consistent snapshot. */
  private async loadWorld(
    m: EntityManager,
    params: AllocationParams,
    catalog: ReferenceCatalog,
  ): Promise<LoadedWorld> {
    const where = [`n.status = ANY($1::text[])`, `n.estimated_usd > n.covered_usd`];
    const args: unknown[] = [OPEN_NEED_STATUSES];
    const countries = this.countriesOf(catalog, params.scope);
    if (countries) {
      args.push(countries);
      where.push(`n.country_code = ANY($${args.length}::text[])`);
    }
    if (params.scope.controlArea) {
      args.push(controlAreaCodes(catalog, params.scope.controlArea));
      where.push(`n.control_areas && $${args.length}::text[]`);
    }
    const needRows: {
      id: string;
      priority: Priority;
      country_code: string;
      estimated: string;
      covered: string;
    }[] = await m.query(
      `SELECT n.id, n.priority, n.country_code,
              round(n.estimated_usd * 100)::bigint AS estimated,
              round(n.covered_usd * 100)::bigint AS covered
         FROM need n WHERE ${where.join(' AND ')} ORDER BY n.id`,
      args,
    );
    const offerArgs: unknown[] = [];
    let offerWhere = `o.status = 'active' AND o.remaining_usd > 0`;
    if (params.scope.offerIds?.length) {
      offerArgs.push(params.scope.offerIds);
      offerWhere += ` AND o.id = ANY($1::uuid[])`;
    }
    // Per-project limits are in the offer's currency: converted at the rate of its envelope.
    const offerRows: { id: string; remaining: string; min: string | null; max: string | null }[] =
      await m.query(
        `SELECT o.id, round(o.remaining_usd * 100)::bigint AS remaining,
                round(o.min_per_project * rate.usd_per_unit * 100)::bigint AS min,
                round(o.max_per_project * rate.usd_per_unit * 100)::bigint AS max
           FROM offer o
           CROSS JOIN LATERAL (
             SELECT coalesce(
               (SELECT er.usd_per_unit FROM exchange_rate er
                 WHERE er.currency = o.budget_currency AND er.rate_date <= o.rate_date
                 ORDER BY er.rate_date DESC LIMIT 1),
               o.total_usd / o.budget_total) AS usd_per_unit
           ) rate
          WHERE ${offerWhere} ORDER BY o.id`,
        offerArgs,
      );
    const needIndex = new Map(needRows.map((r, i) => [r.id, i]));
    const offerIndex = new Map(offerRows.map((r, j) => [r.id, j]));
    const pairRows: { need_id: string; offer_id: string; score: number; committed: string }[] =
      needRows.length && offerRows.length
        ? await m.query(
            `SELECT ms.need_id, ms.offer_id, ms.score::float8 AS score,
                    coalesce(c.committed, 0) AS committed
               FROM match_suggestion ms
               LEFT JOIN (SELECT need_id, offer_id, round(sum(amount_usd) * 100)::bigint AS committed
                            FROM commitment GROUP BY need_id, offer_id) c
                 ON c.need_id = ms.need_id AND c.offer_id = ms.offer_id
              WHERE ms.eligible AND ms.status NOT IN ('declined', 'closed')
                AND ms.need_id = ANY($1::uuid[]) AND ms.offer_id = ANY($2::uuid[])
              ORDER BY ms.need_id, ms.offer_id`,
            [needRows.map((r) => r.id), offerRows.map((r) => r.id)],
          )
        : [];
    const needs: NeedInput[] = needRows.map((r) => ({
      id: r.id,
      priority: r.priority,
      costCents: Number(r.estimated),
      uncoveredCents: Number(r.estimated) - Number(r.covered),
      countryCode: r.country_code,
    }));
    const offers: OfferInput[] = offerRows.map((r) => ({
      id: r.id,
      remainingCents: Number(r.remaining),
    }));
    const pairs: PairInput[] = pairRows.map((r) => {
      const offer = offerRows[offerIndex.get(r.offer_id)!];
      const committed = Number(r.committed);
      const max = cents(offer.max);
      return {
        need: needIndex.get(r.need_id)!,
        offer: offerIndex.get(r.offer_id)!,
        score: Number(r.score),
        // The same need and offer make one project: what is committed on it counts.
        maxCents: max === null ? null : Math.max(0, max - committed),
        minCents: committed > 0 ? 0 : (cents(offer.min) ?? 0),
      };
    });
    const floors: FloorInput[] = params.floors.map((f) => {
      const members = new Set(
        (
          catalog.filterCountries(f.kind === 'region' ? { region: f.code } : { group: f.code }) ??
          []
        ).map((c) => c.alpha3),
      );
      return {
        kind: f.kind,
        code: f.code,
        needs: needs.flatMap((n, i) => (members.has(n.countryCode) ? [i] : [])),
        ...(f.minUsd !== undefined ? { minCents: Math.round(f.minUsd * 100) } : {}),
        ...(f.minShare !== undefined ? { minShare: f.minShare } : {}),
      };
    });
    return {
      input: {
        needs,
        offers,
        pairs,
        floors,
        weights: params.weights,
        normalisation: params.normalisation,
      },
      needFacts: needRows.map((r) => ({
        estimatedCents: Number(r.estimated),
        coveredCents: Number(r.covered),
      })),
    };
  }

  private countriesOf(
    catalog: ReferenceCatalog,
    scope: AllocationParams['scope'],
  ): string[] | undefined {
    let list: string[] | undefined;
    if (scope.region !== undefined || scope.group !== undefined) {
      list = (catalog.filterCountries({ region: scope.region, group: scope.group }) ?? []).map(
        (c) => c.alpha3,
      );
    }
    if (scope.state !== undefined)
      list = list ? list.filter((c) => c === scope.state) : [scope.state];
    return list;
  }

  /**
   * The job: builds the model from the database, solves it in a worker thread (greedy, LP,
   * integer version when asked), checks nothing was proposed beyond a limit, and stores the
   * outcome. A finished run is not solved again; a run found `running` (its worker died) is.
   */
  async solve(
    runId: string,
    onProgress: (percent: number) => Promise<void> | void = () => undefined,
  ): Promise<AllocationSummaryDto> {
    const run = await this.load(runId);
    if (run.status === 'succeeded' || run.status === 'failed') return toSummaryDto(run);
    const repo = this.db.getRepository(AllocationRun);
    const progress = async (percent: number) => {
      await repo.update(runId, { progress: Math.round(percent) });
      await onProgress(Math.round(percent));
    };
    await repo.update(runId, { status: 'running', startedAt: new Date(), progress: 0 });
    await onProgress(0);
    const started = performance.now();
    const catalog = await this.reference.catalog();
    const world = await this.db.transaction('REPEATABLE READ', (m) =>
      this.loadWorld(m, run.params, catalog),
    );
    const problem = buildProblem(world.input);
    const model = solverInput(problem);
    const modelSeconds = (performance.now() - started) / 1000;
    await progress(10);
    let lastReported = 10;
    // Progress writes in order, all done before the outcome is stored (which sets 100).
    let reporting: Promise<void> = Promise.resolve();
    const previous = solving;
    let release!: () => void;
    solving = new Promise<void>((resolve) => (release = resolve));
    let outcome: SolveOutcome;
    try {
      await previous;
      outcome = await solveInThread(
        model,
        {
          integer: run.params.integer,
          timeLimitSeconds: run.params.timeLimitSeconds,
          mipRelGap: run.params.mipRelGap,
        },
        (percent) => {
          const scaled = Math.round(10 + percent * 0.85);
          if (scaled > lastReported) {
            lastReported = scaled;
            reporting = reporting.then(() => progress(scaled)).catch(() => undefined);
          }
        },
      );
    } finally {
      release();
      await reporting;
    }

    if (outcome.status !== 'succeeded') {
      const error: RunError =
        outcome.status === 'infeasible'
          ? {
              code: 'INFEASIBLE_FLOORS',
              message: `${outcome.message}: ${(outcome.infeasibleFloors ?? []).map((f) => f.label).join(', ')}`,
              floors: (outcome.infeasibleFloors ?? []).map((f) => ({
                floor: f.label,
                minUsd: f.minCents > 0 ? usd(f.minCents) : null,
                minShare: f.minShare > 0 ? f.minShare : null,
                maxAchievableUsd: f.maxCents === null ? null : usd(f.maxCents),
                reason: f.reason,
              })),
            }
          : { code: 'SOLVER_FAILED', message: outcome.message ?? 'The solver failed' };
      await this.finish(runId, {
        status: 'failed',
        error,
        solveSeconds: outcome.lp.seconds + outcome.greedy.seconds,
      });
      await onProgress(100);
      return toSummaryDto(await this.load(runId));
    }

    const chosen = run.params.integer ? outcome.mip!.cents : outcome.lp.cents;
    const binding = bindingConstraints(model, problem.pairMax, chosen, run.params.integer);
    const assignments: AssignmentRow[] = [];
    const proposedPerNeed = new Float64Array(problem.needs.length);
    for (let k = 0; k < chosen.length; k++) {
      if (!(chosen[k] > 0)) continue;
      const need = problem.needs[problem.pairNeed[k]];
      proposedPerNeed[problem.pairNeed[k]] += chosen[k];
      assignments.push({
        needId: need.id,
        offerId: problem.offers[problem.pairOffer[k]].id,
        amountUsd: usd(chosen[k]),
        score: problem.pairScore[k],
        priority: need.priority,
        reason: {
          score: problem.pairScore[k],
          priority: need.priority,
          weight: problem.weights[need.priority],
          valuePerUsd: problem.pairCoef[k] * 100,
          bindingConstraints: binding[k],
        },
      });
    }
    assignments.sort(
      (a, b) =>
        b.reason.valuePerUsd - a.reason.valuePerUsd ||
        a.needId.localeCompare(b.needId) ||
        a.offerId.localeCompare(b.offerId),
    );
    const snapshot: NeedSnapshot[] = [];
    let fullyCovered = 0;
    problem.needs.forEach((n, i) => {
      if (!(proposedPerNeed[i] > 0)) return;
      if (proposedPerNeed[i] >= n.uncoveredCents) fullyCovered += 1;
      snapshot.push({
        needId: n.id,
        priority: n.priority,
        estimatedUsd: usd(world.needFacts[i].estimatedCents),
        coveredUsd: usd(world.needFacts[i].coveredCents),
        uncoveredUsd: usd(n.uncoveredCents),
        proposedUsd: usd(proposedPerNeed[i]),
      });
    });
    const sum = (a: Float64Array) => a.reduce((s, v) => s + v, 0);
    // The greedy baseline per need and per offer, to show beside the proposal.
    const greedyPerNeed: Record<string, number> = {};
    const greedyPerOffer: Record<string, number> = {};
    const greedyCents = outcome.greedy.cents;
    const centsPerNeed = new Map<string, number>();
    const centsPerOffer = new Map<string, number>();
    for (let k = 0; k < greedyCents.length; k++) {
      if (!(greedyCents[k] > 0)) continue;
      const needId = problem.needs[problem.pairNeed[k]].id;
      const offerId = problem.offers[problem.pairOffer[k]].id;
      centsPerNeed.set(needId, (centsPerNeed.get(needId) ?? 0) + greedyCents[k]);
      centsPerOffer.set(offerId, (centsPerOffer.get(offerId) ?? 0) + greedyCents[k]);
    }
    for (const [id, cents] of centsPerNeed) greedyPerNeed[id] = usd(cents);
    for (const [id, cents] of centsPerOffer) greedyPerOffer[id] = usd(cents);
    const objective = objectiveOf(model, chosen);
    const lpObjective = outcome.lp.objective;
    const greedyObjective = outcome.greedy.objective;
    const mip = outcome.mip;
    const stats: RunStats = {
      needs: problem.needs.length,
      offers: problem.offers.length,
      pairs: problem.pairCoef.length,
      uncoveredUsd: usd(problem.needs.reduce((s, n) => s + n.uncoveredCents, 0)),
      remainingUsd: usd(problem.offers.reduce((s, o) => s + o.remainingCents, 0)),
      proposedUsd: usd(sum(chosen)),
      needsGivenSomething: snapshot.length,
      needsFullyCovered: fullyCovered,
      greedy: {
        objective: greedyObjective,
        seconds: outcome.greedy.seconds,
        proposedUsd: usd(sum(outcome.greedy.cents)),
        meetsFloors: meetsFloors(model, outcome.greedy.cents),
        perNeed: greedyPerNeed,
        perOffer: greedyPerOffer,
      },
      lp: {
        status: outcome.lp.status,
        objective: lpObjective,
        seconds: outcome.lp.seconds,
        rounds: outcome.lp.rounds,
        columns: outcome.lp.columns,
      },
      mip: mip
        ? {
            status: mip.status,
            objective: mip.objective,
            bound: mip.bound,
            gap: mip.gap,
            seconds: mip.seconds,
            scope: mip.scope,
            columns: mip.columns,
            binaries: mip.binaries,
          }
        : null,
      modelSeconds,
    };
    await this.finish(runId, {
      status: 'succeeded',
      objective,
      lpObjective,
      gap: mip ? mip.gap : 0,
      greedyObjective,
      lpOverGreedy: greedyObjective > 0 ? lpObjective / greedyObjective : null,
      solveSeconds: outcome.greedy.seconds + outcome.lp.seconds + (mip?.seconds ?? 0),
      stats,
      assignments,
      needSnapshot: snapshot,
    });
    await onProgress(100);
    this.logger.log(
      { runId, objective, lpObjective, greedyObjective, pairs: stats.pairs },
      'allocation solved',
    );
    return toSummaryDto(await this.load(runId));
  }

  /** Stores the outcome and audits it, in one transaction. */
  private async finish(runId: string, changes: Partial<AllocationRun>): Promise<void> {
    await this.db.transaction(async (m) => {
      await m
        .getRepository(AllocationRun)
        .update(runId, { ...changes, progress: 100, finishedAt: new Date() });
      await this.audit.record(m, {
        action: changes.status === 'succeeded' ? 'allocation.complete' : 'allocation.fail',
        entityType: 'allocation_run',
        entityId: runId,
        after: { status: changes.status },
        metadata: {
          objective: changes.objective ?? null,
          lpObjective: changes.lpObjective ?? null,
          gap: changes.gap ?? null,
          assignments: changes.assignments?.length ?? 0,
          error: changes.error ?? null,
        },
      });
    });
  }

  /** After the last retry failed (unexpected errors only; infeasible floors are an outcome). */
  async markFailed(runId: string, reason: string): Promise<void> {
    const run = await this.db.getRepository(AllocationRun).findOne({ where: { id: runId } });
    if (!run || run.status === 'succeeded' || run.status === 'failed') return;
    await this.finish(runId, { status: 'failed', error: { code: 'FAILED', message: reason } });
  }
}
