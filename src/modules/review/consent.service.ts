import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ClsService } from 'nestjs-cls';
import { DataSource, EntityManager } from 'typeorm';
import { hasRole, Principal, systemPrincipal } from '../../common/access/roles';
import type { RequestContext } from '../../common/context/request-context';
import { AppException } from '../../common/errors';
import { assertVersion } from '../../common/versioning';
import { AuditService } from '../audit/audit.service';
import { NeedDto } from '../needs/dto/need.dto';
import { needVisibilityWhere } from '../needs/need-visibility';
import { Need } from '../needs/need.entity';
import { toNeedDto } from '../needs/needs.service';
import { OutboxService } from '../outbox/outbox.service';

const consentFields = (n: Need) => ({
  status: n.status,
  statusNote: n.statusNote,
  consentStatus: n.consentStatus,
  consentAt: n.consentAt,
  consentNote: n.consentNote,
});

/**
 * Consent before circulation (issue 8): a need the secretariat filed on a State's behalf is
 * `pending` from publication until the State consents or the no-objection deadline passes;
 * meanwhile only the State and the secretariat see it and the engine does not match it. An
 * objection withdraws the need (with the State's note): it never circulates.
 */
@Injectable()
export class ConsentService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditService,
    private readonly outbox: OutboxService,
    private readonly cls: ClsService<RequestContext>,
  ) {}

  /** 404 if not visible, 403 unless a national contact of the need's State, If-Match, 409. */
  private async loadPending(
    m: EntityManager,
    principal: Principal,
    id: string,
    ifMatch: string | undefined,
  ): Promise<Need> {
    const vis = needVisibilityWhere(principal, 'n');
    const need = await m
      .getRepository(Need)
      .createQueryBuilder('n')
      .where('n.id = :id', { id })
      .andWhere(vis.sql, vis.params)
      .setLock('pessimistic_write')
      .getOne();
    if (!need) throw AppException.notFound('Need');
    if (!(hasRole(principal, 'national_contact') && principal.partyId === need.partyId)) {
      throw new AppException(
        'FORBIDDEN',
        "Only the State's national contacts may consent or object to circulation",
      );
    }
    assertVersion(ifMatch, need.version);
    if (need.consentStatus !== 'pending') {
      throw new AppException(
        'INVALID_TRANSITION',
        need.consentStatus
          ? `Consent is no longer awaited (${need.consentStatus})`
          : 'This need does not await the State’s consent',
        { consentStatus: need.consentStatus },
      );
    }
    return need;
  }

  private async save(
    m: EntityManager,
    need: Need,
    before: Need,
    action: string,
    event: string,
  ): Promise<void> {
    need.version += 1;
    await m.update(
      Need,
      { id: need.id },
      {
        status: need.status,
        statusNote: need.statusNote,
        consentStatus: need.consentStatus,
        consentAt: need.consentAt,
        consentNote: need.consentNote,
        version: need.version,
      },
    );
    await this.audit.record(m, {
      action,
      entityType: 'need',
      entityId: need.id,
      entityPartyId: need.partyId,
      before: consentFields(before),
      after: consentFields(need),
      metadata: { consentDeadline: need.consentDeadline },
    });
    await this.outbox.add(m, {
      type: event,
      entityType: 'need',
      entityId: need.id,
      version: need.version,
      partyId: need.partyId,
    });
  }

  async consent(principal: Principal, id: string, ifMatch: string | undefined): Promise<NeedDto> {
    return this.db.transaction(async (m) => {
      const need = await this.loadPending(m, principal, id, ifMatch);
      const before = { ...need };
      need.consentStatus = 'given';
      need.consentAt = new Date();
      await this.save(m, need, before, 'need.consent', 'need.consented');
      return toNeedDto(need);
    });
  }

  async object(
    principal: Principal,
    id: string,
    note: string,
    ifMatch: string | undefined,
  ): Promise<NeedDto> {
    return this.db.transaction(async (m) => {
      const need = await this.loadPending(m, principal, id, ifMatch);
      const before = { ...need };
      need.consentStatus = 'objected';
      need.consentAt = new Date();
      need.consentNote = note;
      need.status = 'withdrawn';
      need.statusNote = note;
      await this.save(m, need, before, 'need.object', 'need.objected');
      return toNeedDto(need);
    });
  }

  /**
   * Circulates every pending need whose no-objection deadline has passed (the scheduled job),
   * each audited as the system actor and announced in the outbox so matching picks it up.
   */
  async releaseDue(jobId = 'review.release-consent'): Promise<{ released: string[] }> {
    const work = () =>
      this.db.transaction(async (m) => {
        const due = await m
          .getRepository(Need)
          .createQueryBuilder('n')
          .where(`n.consent_status = 'pending' AND n.consent_deadline <= now()`)
          .orderBy('n.consent_deadline', 'ASC')
          .setLock('pessimistic_write')
          .setOnLocked('skip_locked')
          .getMany();
        for (const need of due) {
          const before = { ...need };
          need.consentStatus = 'no_objection';
          need.consentAt = new Date();
          await this.save(m, need, before, 'need.consent_deemed', 'need.circulated');
        }
        return { released: due.map((n) => n.id) };
      });
    if (this.cls.isActive() && this.cls.get('principal')) return work();
    return this.cls.run(() => {
      this.cls.set('jobId', jobId);
      this.cls.set('principal', systemPrincipal(jobId));
      return work();
    });
  }
}
