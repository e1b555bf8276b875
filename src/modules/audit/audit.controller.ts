import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { Roles } from '../../common/access/access.decorators';
import { decodeCursor, Page, toPage } from '../../common/pagination';
import { AuditEntry } from './audit-entry.entity';
import { AuditPageDto } from './dto/audit-entry.dto';
import { AuditQueryDto } from './dto/audit-query.dto';

@ApiTags('audit')
@Controller('audit')
export class AuditController {
  constructor(@InjectRepository(AuditEntry) private readonly entries: Repository<AuditEntry>) {}

  /** The audit trail, newest first, for the secretariat and administrators. */
  @Get()
  @Roles('secretariat', 'admin')
  @ApiOkResponse({ type: AuditPageDto })
  async list(@Query() query: AuditQueryDto): Promise<Page<AuditEntry>> {
    const limit = query.limit ?? 50;
    const qb = this.entries
      .createQueryBuilder('a')
      .orderBy('a.at', 'DESC')
      .addOrderBy('a.id', 'DESC')
      .take(limit + 1);
    if (query.entityType)
      qb.andWhere('a.entity_type = :entityType', { entityType: query.entityType });
    if (query.entityId) qb.andWhere('a.entity_id = :entityId', { entityId: query.entityId });
    if (query.userId) qb.andWhere('a.actor_user_id = :userId', { userId: query.userId });
    if (query.partyId) {
      qb.andWhere('(a.actor_party_id = :partyId OR a.entity_party_id = :partyId)', {
        partyId: query.partyId,
      });
    }
    if (query.action?.endsWith('.'))
      qb.andWhere('a.action LIKE :prefix', { prefix: `${query.action}%` });
    else if (query.action) qb.andWhere('a.action = :action', { action: query.action });
    if (query.from) qb.andWhere('a.at >= :from', { from: query.from });
    if (query.to) qb.andWhere('a.at < :to', { to: query.to });
    const cursor = decodeCursor(query.cursor, 2);
    if (cursor) qb.andWhere('(a.at, a.id) < (:at, :id)', { at: cursor[0], id: cursor[1] });
    const rows = await qb.getMany();
    return toPage(rows, limit, (r) => [r.at.toISOString(), r.id]);
  }
}
