import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, SelectQueryBuilder } from 'typeorm';
import { hasRole, Principal } from '../../common/access/roles';
import { AppException } from '../../common/errors';
import { Page } from '../../common/pagination';
import { AuditService } from '../audit/audit.service';
import { needVisibilityWhere } from '../needs/need-visibility';
import { ReferenceService, unknownFilterValue } from '../reference/reference.service';
import { keysetPage } from '../search/list-search';
import { CoordinationAlert } from './coordination-alert.entity';
import { AcknowledgeAlertDto, AlertDto, AlertQueryDto } from './dto/alert.dto';

export function toAlertDto(a: CoordinationAlert, state: string | null): AlertDto {
  return {
    id: a.id,
    kind: a.kind,
    summary: a.summary,
    needId: a.needId,
    offerId: a.offerId,
    partyId: a.partyId,
    state,
    needIds: a.needIds,
    donorPartyIds: a.donorPartyIds,
    details: a.details,
    createdAt: a.createdAt,
    acknowledgedAt: a.acknowledgedAt,
    acknowledgedBy: a.acknowledgedBy,
    acknowledgeNote: a.acknowledgeNote,
  };
}

/**
 * Reading and acknowledging coordination alerts. Who sees which: the secretariat every alert;
 * a donor's focal points the alerts involving the donor's offers, provided they may see every
 * need the alert is about (so an alert never reveals a need kept from them); a State's
 * national contacts the alerts about the State's needs (over-commitment, donors overlapping).
 */
@Injectable()
export class AlertsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly reference: ReferenceService,
    private readonly audit: AuditService,
  ) {}

  private visible(
    principal: Principal,
    m: EntityManager = this.db.manager,
  ): SelectQueryBuilder<CoordinationAlert> {
    const qb = m
      .getRepository(CoordinationAlert)
      .createQueryBuilder('a')
      .leftJoin('party', 'sp', 'sp.id = a.party_id');
    if (principal.kind === 'system' || hasRole(principal, 'secretariat')) return qb;
    const rules: string[] = [];
    const params: Record<string, unknown> = { alertViewer: principal.partyId };
    if (principal.partyId && hasRole(principal, 'donor_focal_point')) {
      const vis = needVisibilityWhere(principal, 'hidden');
      Object.assign(params, vis.params);
      rules.push(
        `(:alertViewer = ANY(a.donor_party_ids) AND NOT EXISTS (
           SELECT 1 FROM need hidden WHERE hidden.id = ANY(a.need_ids) AND NOT ${vis.sql}))`,
      );
    }
    if (principal.partyId && hasRole(principal, 'national_contact')) {
      rules.push('a.party_id = :alertViewer');
    }
    qb.where(rules.length ? `(${rules.join(' OR ')})` : 'FALSE', params);
    return qb;
  }

  async list(principal: Principal, query: AlertQueryDto): Promise<Page<AlertDto>> {
    const qb = this.visible(principal);
    if (query.kind) qb.andWhere('a.kind = :kind', { kind: query.kind });
    if (query.acknowledged === 'true') qb.andWhere('a.acknowledged_at IS NOT NULL');
    if (query.acknowledged === 'false') qb.andWhere('a.acknowledged_at IS NULL');
    if (query.state !== undefined) {
      const catalog = await this.reference.catalog();
      const code = catalog.canonicalCode('country', query.state);
      if (!code) throw unknownFilterValue('state', query.state, 'an ISO alpha-3 country code');
      qb.andWhere('sp.country_code = :alertState', { alertState: code });
    }
    const page = await keysetPage(qb, {
      sort: 'date',
      keys: [
        { sql: 'a.created_at', type: 'timestamptz' },
        { sql: 'a.id', type: 'uuid' },
      ],
      cursor: query.cursor,
      limit: query.limit ?? 50,
    });
    const states = await this.statesOf(page.items);
    return {
      items: page.items.map((a) =>
        toAlertDto(a, a.partyId ? (states.get(a.partyId) ?? null) : null),
      ),
      nextCursor: page.nextCursor,
    };
  }

  private async statesOf(alerts: CoordinationAlert[]): Promise<Map<string, string | null>> {
    const ids = [...new Set(alerts.map((a) => a.partyId).filter((id): id is string => !!id))];
    if (!ids.length) return new Map();
    const rows = (await this.db.query(
      `SELECT id, country_code FROM party WHERE id = ANY($1::uuid[])`,
      [ids],
    )) as { id: string; country_code: string | null }[];
    return new Map(rows.map((r) => [r.id, r.country_code]));
  }

  async get(principal: Principal, id: string): Promise<AlertDto> {
    const alert = await this.visible(principal).andWhere('a.id = :id', { id }).getOne();
    if (!alert) throw AppException.notFound('Alert');
    const states = await this.statesOf([alert]);
    return toAlertDto(alert, alert.partyId ? (states.get(alert.partyId) ?? null) : null);
  }

  /** The secretariat notes it has dealt with the alert (404 if absent, 409 if already done). */
  async acknowledge(
    principal: Principal,
    id: string,
    input: AcknowledgeAlertDto,
  ): Promise<AlertDto> {
    await this.get(principal, id); // 404 before anything else
    const alert = await this.db.transaction(async (m) => {
      const row = await m
        .getRepository(CoordinationAlert)
        .createQueryBuilder('a')
        .where('a.id = :id', { id })
        .setLock('pessimistic_write')
        .getOne();
      if (!row) throw AppException.notFound('Alert');
      if (row.acknowledgedAt) {
        throw new AppException('CONFLICT', 'This alert has already been acknowledged', {
          acknowledgedAt: row.acknowledgedAt,
          acknowledgedBy: row.acknowledgedBy,
        });
      }
      const before = {
        acknowledgedAt: null,
        acknowledgedBy: null,
        acknowledgeNote: null,
      };
      row.acknowledgedAt = new Date();
      row.acknowledgedBy = principal.userId ?? principal.apiKeyId ?? null;
      row.acknowledgeNote = input.note?.trim() || null;
      await m.update(
        CoordinationAlert,
        { id },
        {
          acknowledgedAt: row.acknowledgedAt,
          acknowledgedBy: row.acknowledgedBy,
          acknowledgeNote: row.acknowledgeNote,
        },
      );
      await this.audit.record(m, {
        action: 'coordination_alert.acknowledge',
        entityType: 'coordination_alert',
        entityId: id,
        entityPartyId: row.partyId,
        before,
        after: {
          acknowledgedAt: row.acknowledgedAt,
          acknowledgedBy: row.acknowledgedBy,
          acknowledgeNote: row.acknowledgeNote,
        },
        metadata: { kind: row.kind },
      });
      return row;
    });
    const states = await this.statesOf([alert]);
    return toAlertDto(alert, alert.partyId ? (states.get(alert.partyId) ?? null) : null);
  }
}
