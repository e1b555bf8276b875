import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { hasRole, Principal } from '../../common/access/roles';
import { AppException } from '../../common/errors';
import { decodeCursor, encodeCursor, Page } from '../../common/pagination';
import type { NeedQueryDto } from '../needs/dto/need.dto';
import { NeedsService } from '../needs/needs.service';
import type { OfferQueryDto } from '../offers/dto/offer.dto';
import { OffersService } from '../offers/offers.service';
import { ReferenceService } from '../reference/reference.service';
import {
  CommitmentsExportQueryDto,
  CoverageAreaDto,
  CoverageDonorDto,
  CoverageDto,
  CoverageFiguresDto,
  CoverageQueryDto,
  CoverageRegionDto,
  CoverageSliceQueryDto,
  RegionLevel,
  StaleNeedDto,
} from './dto/coverage.dto';

/** Positional parameters appended after the slice's own (`$1`…`$n` of the needs filter). */
class Params {
  constructor(readonly values: unknown[]) {}
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/** A slice as SQL: a query over `need` rows the caller may see, to be used as a CTE. */
interface SliceSql {
  sql: string;
  params: unknown[];
}

/** One commitment with what the exports print about its need, offer and donor. */
export interface CommitmentRow {
  id: string;
  matchId: string;
  matchStatus: string;
  needId: string;
  needTitle: string;
  needDescription: string;
  needLanguage: string;
  state: string;
  stateAlpha2: string;
  stateName: string;
  offerId: string;
  offerTitle: string;
  donorPartyId: string;
  donorName: string;
  donorType: string;
  amount: number;
  currency: string;
  amountUsd: number;
  rateDate: string;
  implementer: string;
  /** The implementer's party type when it names a registered party, else null. */
  implementerType: string | null;
  startDate: string;
  endDate: string;
  overCommitment: boolean;
  controlAreas: string[];
  createdAt: Date;
}

type CommitmentSqlRow = Record<
  | 'id'
  | 'match_id'
  | 'match_status'
  | 'need_id'
  | 'need_title'
  | 'need_description'
  | 'need_language'
  | 'state'
  | 'alpha2'
  | 'state_name'
  | 'offer_id'
  | 'offer_title'
  | 'donor_party_id'
  | 'donor_name'
  | 'donor_type'
  | 'amount'
  | 'currency'
  | 'amount_usd'
  | 'rate_date'
  | 'implementer'
  | 'start_date'
  | 'end_date'
  | 'created_key',
  string
> & {
  implementer_type: string | null;
  over_commitment: boolean;
  control_areas: string[];
  created_at: Date;
};

/** Declared = every status but these. */
const UNDECLARED = `('draft', 'withdrawn')`;
/** Declared but not (yet) published. */
const PUBLISHED = (a: string) => `${a}.status NOT IN ('submitted', 'under_review')`;
/** Match statuses meaning the two sides agreed (or went further). */
const AGREED = `('agreed', 'committed', 'in_delivery', 'delivered')`;
/** Offers money can still be committed from. */
const LIVE_OFFERS = `('active', 'paused', 'exhausted')`;
const STALE_LIMIT = 100;
const SUGGESTIONS_PER_NEED = 3;

const FIGURES_SQL = `
  count(*)::int AS needs_declared,
  count(*) FILTER (WHERE ${PUBLISHED('s')})::int AS needs_published,
  count(*) FILTER (WHERE ${PUBLISHED('s')} AND s.committed_usd >= s.estimated_usd)::int AS needs_covered,
  count(*) FILTER (WHERE ${PUBLISHED('s')} AND s.committed_usd < s.estimated_usd)::int AS needs_unmet,
  COALESCE(sum(s.estimated_usd), 0)::text AS declared_usd,
  COALESCE(sum(s.estimated_usd) FILTER (WHERE ${PUBLISHED('s')}), 0)::text AS published_usd,
  COALESCE(sum(s.estimated_usd) FILTER (WHERE ${PUBLISHED('s')} AND s.committed_usd >= s.estimated_usd), 0)::text AS covered_usd,
  COALESCE(sum(s.estimated_usd) FILTER (WHERE ${PUBLISHED('s')} AND s.committed_usd < s.estimated_usd), 0)::text AS unmet_usd,
  COALESCE(sum(s.committed_usd), 0)::text AS committed_usd,
  COALESCE(sum(GREATEST(s.estimated_usd - s.committed_usd, 0)), 0)::text AS gap_usd`;

type FigureRow = Record<
  | 'needs_declared'
  | 'needs_published'
  | 'needs_covered'
  | 'needs_unmet'
  | 'declared_usd'
  | 'published_usd'
  | 'covered_usd'
  | 'unmet_usd'
  | 'committed_usd'
  | 'gap_usd',
  string | number
>;

function toFigures(r: FigureRow): CoverageFiguresDto {
  return {
    needsDeclared: Number(r.needs_declared),
    needsPublished: Number(r.needs_published),
    needsCovered: Number(r.needs_covered),
    needsUnmet: Number(r.needs_unmet),
    declaredUsd: Number(r.declared_usd),
    publishedUsd: Number(r.published_usd),
    coveredUsd: Number(r.covered_usd),
    unmetUsd: Number(r.unmet_usd),
    committedUsd: Number(r.committed_usd),
    gapUsd: Number(r.gap_usd),
  };
}

const REGION_COLUMNS: Record<RegionLevel, { code: string; name: string }> = {
  region: { code: 'c.region_code', name: 'c.region' },
  subRegion: { code: 'c.sub_region_code', name: 'c.sub_region' },
  intermediateRegion: {
    code: 'COALESCE(c.intermediate_region_code, c.sub_region_code)',
    name: 'COALESCE(c.intermediate_region, c.sub_region)',
  },
};

export interface CoverageFigures {
  totals: CoverageFiguresDto;
  byRegion: CoverageRegionDto[];
  byArea: CoverageAreaDto[];
}

export type CoverageSummary = CoverageFigures & { byDonor: CoverageDonorDto[] };

/**
 * Coverage and gaps over a slice of needs. The slice is the needs list's own filter and
 * visibility query (`NeedsService.filtered`), so the figures count exactly the needs the
 * caller could list with the same filters; offers are sliced by `OffersService.filtered`.
 * The secretariat and donors may ask for any slice; a State's national contact sees only
 * its own needs (403 when it names another State).
 */
@Injectable()
export class CoverageService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly needs: NeedsService,
    private readonly offers: OffersService,
    private readonly reference: ReferenceService,
  ) {}

  /**
   * The caller's slice: the filters as given for the secretariat and donors; for a State's
   * national contact, its own needs only (`state` must be its own, else 403).
   */
  private async scoped(
    principal: Principal,
    query: CommitmentsExportQueryDto,
    m: EntityManager,
  ): Promise<{ query: NeedQueryDto; ownParty: string | null }> {
    const sees =
      principal.kind === 'system' || hasRole(principal, 'secretariat', 'donor_focal_point');
    if (sees) return { query: { ...query }, ownParty: null };
    const [party] = (await m.query(`SELECT type, country_code FROM party WHERE id = $1`, [
      principal.partyId,
    ])) as { type: string; country_code: string | null }[];
    if (
      !hasRole(principal, 'national_contact') ||
      !party ||
      party.type !== 'state' ||
      !party.country_code
    ) {
      throw new AppException(
        'FORBIDDEN',
        "Coverage is open to the secretariat, donors and States' national contacts",
      );
    }
    if (query.state !== undefined) {
      const catalog = await this.reference.catalog();
      const asked = catalog.canonicalCode('country', query.state);
      // An unknown code is a 400 from the needs filter; a known one of another State is a 403.
      if (asked && asked !== party.country_code) {
        throw new AppException(
          'FORBIDDEN',
          "A State's national contact may see only its own State's coverage",
          { state: asked, ownState: party.country_code },
        );
      }
    }
    return { query: { ...query, state: party.country_code }, ownParty: principal.partyId };
  }

  /** The declared needs of the slice with what was committed to each, as a CTE body. */
  private async slice(
    principal: Principal,
    query: CommitmentsExportQueryDto,
    m: EntityManager,
  ): Promise<{ slice: SliceSql; scope: { query: NeedQueryDto; ownParty: string | null } }> {
    const scope = await this.scoped(principal, query, m);
    const qb = await this.needs.filtered(principal, scope.query, m);
    if (scope.ownParty)
      qb.andWhere('n.party_id = :coverageParty', { coverageParty: scope.ownParty });
    qb.andWhere(`n.status NOT IN ${UNDECLARED}`)
      .select('n.id', 'id')
      .addSelect('n.party_id', 'party_id')
      .addSelect('n.country_code', 'country_code')
      .addSelect('n.status', 'status')
      .addSelect('n.title', 'title')
      .addSelect('n.description', 'description')
      .addSelect('n.language', 'language')
      .addSelect('n.control_areas', 'control_areas')
      .addSelect('n.estimated_usd', 'estimated_usd')
      .addSelect('n.published_at', 'published_at')
      .addSelect(
        '(SELECT COALESCE(sum(cm.amount_usd), 0) FROM commitment cm WHERE cm.need_id = n.id)',
        'committed_usd',
      );
    const [sql, params] = qb.getQueryAndParameters();
    return { slice: { sql, params: [...params] }, scope };
  }

  /** Totals, by region and by control-area series. */
  async figures(
    principal: Principal,
    query: CoverageSliceQueryDto,
    m: EntityManager = this.db.manager,
  ): Promise<CoverageFigures> {
    const { slice } = await this.slice(principal, query, m);
    const level = REGION_COLUMNS[query.regionLevel ?? 'region'];
    const [totals] = (await m.query(
      `WITH s AS (${slice.sql}) SELECT ${FIGURES_SQL} FROM s`,
      slice.params,
    )) as FigureRow[];
    const regions = (await m.query(
      `WITH s AS (${slice.sql})
       SELECT ${level.code} AS code, ${level.name} AS name, ${FIGURES_SQL}
         FROM s JOIN country c ON c.alpha3 = s.country_code
        GROUP BY 1, 2
        ORDER BY sum(s.estimated_usd) DESC, 2`,
      slice.params,
    )) as (FigureRow & { code: string; name: string })[];
    const areas = (await m.query(
      `WITH s AS (${slice.sql})
       SELECT a.code, ca.title, ${FIGURES_SQL}
         FROM s
         CROSS JOIN LATERAL (
           SELECT DISTINCT COALESCE(x.series, x.code) AS code
             FROM unnest(s.control_areas) AS u(code) JOIN control_area x ON x.code = u.code
         ) a
         JOIN control_area ca ON ca.code = a.code
        GROUP BY a.code, ca.title, ca.sort_order
        ORDER BY ca.sort_order, a.code`,
      slice.params,
    )) as (FigureRow & { code: string; title: string })[];
    return {
      totals: toFigures(totals),
      byRegion: regions.map((r) => ({ code: r.code, name: r.name, ...toFigures(r) })),
      byArea: areas.map((r) => ({ code: r.code, title: r.title, ...toFigures(r) })),
    };
  }

  /** Totals, by donor, by region and by area (the coverage without the stale needs). */
  async summary(principal: Principal, query: CoverageSliceQueryDto): Promise<CoverageSummary> {
    const m = this.db.manager;
    const figures = await this.figures(principal, query, m);
    const { slice, scope } = await this.slice(principal, query, m);
    return { ...figures, byDonor: await this.byDonor(principal, slice, scope.query, m) };
  }

  async coverage(principal: Principal, query: CoverageQueryDto): Promise<CoverageDto> {
    const { staleDays = 90, ...sliceQuery } = query;
    const summary = await this.summary(principal, sliceQuery);
    const { slice } = await this.slice(principal, sliceQuery, this.db.manager);
    return { ...summary, stale: await this.stale(slice, staleDays, this.db.manager), staleDays };
  }

  /** Donors committed to the slice's needs, and donors whose live offers fit the slice. */
  private async byDonor(
    principal: Principal,
    slice: SliceSql,
    query: NeedQueryDto,
    m: EntityManager,
  ): Promise<CoverageDonorDto[]> {
    const committed = (await m.query(
      `WITH s AS (${slice.sql})
       SELECT o.party_id, p.name, p.type, count(DISTINCT c.need_id)::int AS needs,
              count(*)::int AS commitments, sum(c.amount_usd)::text AS usd
         FROM commitment c
         JOIN s ON s.id = c.need_id
         JOIN offer o ON o.id = c.offer_id
         JOIN party p ON p.id = o.party_id
        GROUP BY o.party_id, p.name, p.type`,
      slice.params,
    )) as {
      party_id: string;
      name: string;
      type: string;
      needs: number;
      commitments: number;
      usd: string;
    }[];
    // Offers sliced by the offers list's own filter (eligibility for the State, region or
    // group; control area; assistance type; period). Offers carry no framework, status or cost
    // of a need, so those filters do not apply to them.
    const offerQuery: OfferQueryDto = {
      state: query.state,
      region: query.region,
      group: query.group,
      controlArea: query.controlArea,
      assistanceType: query.assistanceType,
      from: query.from,
      to: query.to,
    };
    const envelopes = (await (
      await this.offers.filtered(principal, offerQuery, m)
    )
      .andWhere(`o.status IN ${LIVE_OFFERS}`)
      .innerJoin('party', 'p', 'p.id = o.party_id')
      .select('o.party_id', 'party_id')
      .addSelect('p.name', 'name')
      .addSelect('p.type', 'type')
      .addSelect('count(*)::int', 'offers')
      .addSelect('sum(o.total_usd)::text', 'envelope')
      .addSelect('sum(o.committed_usd)::text', 'committed')
      .addSelect('sum(o.total_usd - o.committed_usd)::text', 'remaining')
      .groupBy('o.party_id')
      .addGroupBy('p.name')
      .addGroupBy('p.type')
      .getRawMany()) as {
      party_id: string;
      name: string;
      type: string;
      offers: number;
      envelope: string;
      committed: string;
      remaining: string;
    }[];
    const rows = new Map<string, CoverageDonorDto>();
    const row = (id: string, name: string, type: string) => {
      let r = rows.get(id);
      if (!r) {
        r = {
          partyId: id,
          name,
          type,
          needsFunded: 0,
          commitments: 0,
          committedUsd: 0,
          offers: 0,
          envelopeUsd: 0,
          envelopeCommittedUsd: 0,
          envelopeRemainingUsd: 0,
        };
        rows.set(id, r);
      }
      return r;
    };
    for (const c of committed) {
      Object.assign(row(c.party_id, c.name, c.type), {
        needsFunded: Number(c.needs),
        commitments: Number(c.commitments),
        committedUsd: Number(c.usd),
      });
    }
    for (const e of envelopes) {
      Object.assign(row(e.party_id, e.name, e.type), {
        offers: Number(e.offers),
        envelopeUsd: Number(e.envelope),
        envelopeCommittedUsd: Number(e.committed),
        envelopeRemainingUsd: Number(e.remaining),
      });
    }
    return [...rows.values()].sort(
      (a, b) =>
        b.committedUsd - a.committedUsd ||
        b.envelopeUsd - a.envelopeUsd ||
        a.name.localeCompare(b.name) ||
        a.partyId.localeCompare(b.partyId),
    );
  }

  /** Open needs published more than `days` days ago with no agreed match, and their best suggestions. */
  private async stale(slice: SliceSql, days: number, m: EntityManager): Promise<StaleNeedDto[]> {
    const p = new Params([...slice.params]);
    const needs = (await m.query(
      `WITH s AS (${slice.sql})
       SELECT s.id, s.title, s.country_code, s.status, s.published_at,
              s.estimated_usd::text AS estimated, s.committed_usd::text AS committed,
              floor(extract(epoch FROM now() - s.published_at) / 86400)::int AS days_open
         FROM s
        WHERE s.status IN ('published', 'partially_covered')
          AND s.published_at < now() - make_interval(days => ${p.add(days)}::int)
          AND NOT EXISTS (
            SELECT 1 FROM match_suggestion ms WHERE ms.need_id = s.id AND ms.status IN ${AGREED})
        ORDER BY s.published_at, s.id
        LIMIT ${STALE_LIMIT}`,
      p.values,
    )) as {
      id: string;
      title: string;
      country_code: string;
      status: string;
      published_at: Date;
      estimated: string;
      committed: string;
      days_open: number;
    }[];
    if (!needs.length) return [];
    const suggestions = (await m.query(
      `SELECT * FROM (
         SELECT ms.id, ms.need_id, ms.offer_id, o.title, o.party_id, p.name,
                ms.score::float8 AS score, ms.status,
                row_number() OVER (PARTITION BY ms.need_id ORDER BY ms.score DESC, ms.id) AS rank
           FROM match_suggestion ms
           JOIN offer o ON o.id = ms.offer_id
           JOIN party p ON p.id = o.party_id
          WHERE ms.need_id = ANY($1::uuid[]) AND ms.eligible
            AND ms.status IN ('suggested', 'shortlisted', 'proposed') AND o.status <> 'draft'
       ) ranked WHERE rank <= $2 ORDER BY need_id, rank`,
      [needs.map((n) => n.id), SUGGESTIONS_PER_NEED],
    )) as {
      id: string;
      need_id: string;
      offer_id: string;
      title: string;
      party_id: string;
      name: string;
      score: number;
      status: string;
    }[];
    return needs.map((n) => {
      const estimated = Number(n.estimated);
      const committed = Number(n.committed);
      return {
        needId: n.id,
        title: n.title,
        state: n.country_code,
        status: n.status,
        publishedAt: n.published_at,
        daysOpen: Number(n.days_open),
        estimatedCostUsd: estimated,
        committedUsd: committed,
        gapUsd: Math.max(0, Math.round((estimated - committed) * 100) / 100),
        suggestions: suggestions
          .filter((s) => s.need_id === n.id)
          .map((s) => ({
            matchId: s.id,
            offerId: s.offer_id,
            offerTitle: s.title,
            donorPartyId: s.party_id,
            donorName: s.name,
            score: Number(s.score),
            status: s.status,
          })),
      };
    });
  }

  /**
   * One page of the commitments on the slice's needs, oldest first (keyset on the creation
   * time and id), with what the CSV and IATI exports print.
   */
  async commitments(
    principal: Principal,
    query: CommitmentsExportQueryDto,
    cursor: string | undefined,
    limit: number,
  ): Promise<Page<CommitmentRow>> {
    const m = this.db.manager;
    const { slice } = await this.slice(principal, query, m);
    const p = new Params([...slice.params]);
    const after = decodeCursor(cursor, 2);
    if (
      after &&
      !(
        typeof after[0] === 'string' &&
        !Number.isNaN(Date.parse(after[0])) &&
        typeof after[1] === 'string' &&
        /^[0-9a-f-]{36}$/i.test(after[1])
      )
    ) {
      throw new AppException('VALIDATION_FAILED', 'Invalid cursor', [
        { field: 'cursor', messages: ['cursor is not valid'] },
      ]);
    }
    const keyset = after
      ? `AND (c.created_at, c.id) > (${p.add(after[0])}::timestamptz, ${p.add(after[1])}::uuid)`
      : '';
    const rows = (await m.query(
      `WITH s AS (${slice.sql})
       SELECT c.id, c.match_id, ms.status AS match_status, c.need_id, s.title AS need_title,
              s.description AS need_description, s.language AS need_language,
              s.country_code AS state, co.alpha2, co.names->>'en' AS state_name,
              c.offer_id, o.title AS offer_title, o.party_id AS donor_party_id,
              p.name AS donor_name, p.type AS donor_type, c.amount::text AS amount, c.currency,
              c.amount_usd::text AS amount_usd, to_char(c.rate_date, 'YYYY-MM-DD') AS rate_date,
              c.implementer,
              (SELECT ip.type FROM party ip WHERE lower(ip.name) = lower(c.implementer)
                ORDER BY ip.created_at LIMIT 1) AS implementer_type,
              to_char(c.start_date, 'YYYY-MM-DD') AS start_date,
              to_char(c.end_date, 'YYYY-MM-DD') AS end_date, c.over_commitment,
              s.control_areas, c.created_at,
              to_char(c.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS created_key
         FROM commitment c
         JOIN s ON s.id = c.need_id
         JOIN match_suggestion ms ON ms.id = c.match_id
         JOIN offer o ON o.id = c.offer_id
         JOIN party p ON p.id = o.party_id
         JOIN country co ON co.alpha3 = s.country_code
        WHERE TRUE ${keyset}
        ORDER BY c.created_at, c.id
        LIMIT ${p.add(limit + 1)}`,
      p.values,
    )) as CommitmentSqlRow[];
    const more = rows.length > limit;
    const items = (more ? rows.slice(0, limit) : rows).map((r): CommitmentRow => ({
      id: r.id,
      matchId: r.match_id,
      matchStatus: r.match_status,
      needId: r.need_id,
      needTitle: r.need_title,
      needDescription: r.need_description,
      needLanguage: r.need_language,
      state: r.state,
      stateAlpha2: r.alpha2,
      stateName: r.state_name,
      offerId: r.offer_id,
      offerTitle: r.offer_title,
      donorPartyId: r.donor_party_id,
      donorName: r.donor_name,
      donorType: r.donor_type,
      amount: Number(r.amount),
      currency: r.currency,
      amountUsd: Number(r.amount_usd),
      rateDate: r.rate_date,
      implementer: r.implementer,
      implementerType: r.implementer_type,
      startDate: r.start_date,
      endDate: r.end_date,
      overCommitment: r.over_commitment,
      controlAreas: r.control_areas,
      createdAt: r.created_at,
    }));
    // The cursor keeps the creation time to the microsecond, as PostgreSQL stores it.
    const last = more ? rows[limit - 1] : undefined;
    return { items, nextCursor: last ? encodeCursor([last.created_key, last.id]) : null };
  }
}
