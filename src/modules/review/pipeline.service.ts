import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { hasRole, Principal } from '../../common/access/roles';
import { AppException } from '../../common/errors';
import { needVisibilityWhere } from '../needs/need-visibility';
import {
  PipelineCountsDto,
  PipelineDto,
  PipelineNeedDto,
  PipelineOfferDto,
} from './dto/review.dto';

type Counts = Omit<PipelineCountsDto, never>;
const empty = (): Counts => ({
  suggestions: 0,
  proposals: 0,
  agreements: 0,
  commitments: 0,
  committedUsd: 0,
});
const ratio = (part: number, whole: number) =>
  whole > 0 ? Math.round((part / whole) * 10000) / 10000 : 0;

/**
 * "My pipeline": a State's needs, or a donor's offers, each with its suggestions, proposals,
 * agreements, commitments and coverage. Matches are counted only where the caller may see the
 * need (a donor's view never reveals needs it may not read).
 */
@Injectable()
export class PipelineService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async pipeline(principal: Principal, partyId?: string): Promise<PipelineDto> {
    const secretariat = hasRole(principal, 'secretariat');
    const party = partyId ?? principal.partyId;
    if (!party) throw new AppException('VALIDATION_FAILED', 'partyId is required', []);
    if (partyId && partyId !== principal.partyId && !secretariat) {
      throw new AppException(
        'FORBIDDEN',
        'Only the secretariat may see the pipeline of another party',
      );
    }
    const asState = secretariat || hasRole(principal, 'national_contact');
    const asDonor = secretariat || hasRole(principal, 'donor_focal_point');
    return {
      partyId: party,
      needs: asState ? await this.needs(principal, party) : [],
      offers: asDonor ? await this.offers(principal, party) : [],
    };
  }

  private async matchCounts(
    principal: Principal,
    side: 'need' | 'offer',
    ids: string[],
  ): Promise<Map<string, Counts>> {
    const out = new Map<string, Counts>(ids.map((id) => [id, empty()]));
    if (!ids.length) return out;
    const vis = needVisibilityWhere(principal, 'n');
    const key = side === 'need' ? 'ms.need_id' : 'ms.offer_id';
    const rows: { id: string; status: string; n: string }[] = await this.db
      .createQueryBuilder()
      .select(`${key}`, 'id')
      .addSelect('ms.status', 'status')
      .addSelect('count(*)', 'n')
      .from('match_suggestion', 'ms')
      .innerJoin('need', 'n', 'n.id = ms.need_id')
      .where(`${key} IN (:...ids)`, { ids })
      .andWhere(vis.sql, vis.params)
      .groupBy(key)
      .addGroupBy('ms.status')
      .getRawMany();
    for (const r of rows) {
      const c = out.get(r.id)!;
      const n = Number(r.n);
      if (r.status === 'suggested' || r.status === 'shortlisted') c.suggestions += n;
      else if (r.status === 'proposed') c.proposals += n;
      else if (r.status === 'agreed') c.agreements += n;
    }
    const money: { id: string; n: string; usd: string }[] = await this.db.query(
      `SELECT ${side}_id AS id, count(*) AS n, COALESCE(sum(amount_usd), 0) AS usd
         FROM commitment WHERE ${side}_id = ANY($1::uuid[]) GROUP BY ${side}_id`,
      [ids],
    );
    for (const r of money) {
      const c = out.get(r.id)!;
      c.commitments = Number(r.n);
      c.committedUsd = Number(r.usd);
    }
    return out;
  }

  private async needs(principal: Principal, partyId: string): Promise<PipelineNeedDto[]> {
    const vis = needVisibilityWhere(principal, 'n');
    const rows: {
      id: string;
      title: string;
      status: string;
      estimated_usd: string;
      covered_usd: string;
    }[] = await this.db
      .createQueryBuilder()
      .select(['n.id AS id', 'n.title AS title', 'n.status AS status'])
      .addSelect('n.estimated_usd', 'estimated_usd')
      .addSelect('n.covered_usd', 'covered_usd')
      .from('need', 'n')
      .where('n.party_id = :pipelineParty', { pipelineParty: partyId })
      .andWhere(vis.sql, vis.params)
      .orderBy('n.created_at', 'DESC')
      .addOrderBy('n.id', 'DESC')
      .getRawMany();
    const counts = await this.matchCounts(
      principal,
      'need',
      rows.map((r) => r.id),
    );
    return rows.map((r) => {
      const estimated = Number(r.estimated_usd);
      const covered = Number(r.covered_usd);
      return {
        needId: r.id,
        title: r.title,
        status: r.status,
        estimatedCostUsd: estimated,
        coveredUsd: covered,
        coverage: ratio(covered, estimated),
        ...counts.get(r.id)!,
      };
    });
  }

  private async offers(principal: Principal, partyId: string): Promise<PipelineOfferDto[]> {
    const rows: {
      id: string;
      title: string;
      status: string;
      total_usd: string;
      committed_usd: string;
      remaining_usd: string;
    }[] = await this.db.query(
      `SELECT id, title, status, total_usd, committed_usd, remaining_usd
         FROM offer WHERE party_id = $1 ORDER BY created_at DESC, id DESC`,
      [partyId],
    );
    const counts = await this.matchCounts(
      principal,
      'offer',
      rows.map((r) => r.id),
    );
    return rows.map((r) => {
      const total = Number(r.total_usd);
      return {
        offerId: r.id,
        title: r.title,
        status: r.status,
        totalUsd: total,
        remainingUsd: Number(r.remaining_usd),
        ...counts.get(r.id)!,
        coverage: ratio(Number(r.committed_usd), total),
      };
    });
  }
}
