import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { isUUID } from 'class-validator';
import { DataSource } from 'typeorm';
import { hasRole, Principal } from '../../common/access/roles';
import { AppException } from '../../common/errors';
import { decodeCursor, Page, toPage } from '../../common/pagination';
import { AuditService } from '../audit/audit.service';
import { ApiKey } from './api-key.entity';
import { ApiKeyDto, ApiKeyQueryDto, CreateApiKeyDto, CreatedApiKeyDto } from './dto/api-key.dto';
import { newApiKey, sha256Hex } from './token-crypto';

export function toApiKeyDto(k: ApiKey): ApiKeyDto {
  return {
    id: k.id,
    name: k.name,
    role: k.role,
    prefix: k.prefix,
    createdBy: k.createdBy,
    createdAt: k.createdAt,
    lastUsedAt: k.lastUsedAt,
  };
}

/** API keys of machine clients, owned by a party, acting with one role of their creator. */
@Injectable()
export class ApiKeysService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditService,
  ) {}

  async create(principal: Principal, input: CreateApiKeyDto): Promise<CreatedApiKeyDto> {
    if (principal.kind !== 'user' || !principal.userId || !principal.partyId) {
      throw new AppException(
        'FORBIDDEN',
        'API keys are created by signed-in users, not by other API keys',
      );
    }
    if (!principal.roles.includes(input.role)) {
      throw new AppException(
        'FORBIDDEN',
        `You cannot give a key the role ${input.role}: you do not hold it`,
      );
    }
    const { prefix, secret, key } = newApiKey();
    return this.db.transaction(async (m) => {
      const row = m.create(ApiKey, {
        partyId: principal.partyId!,
        createdBy: principal.userId!,
        name: input.name.trim(),
        role: input.role,
        prefix,
        secretHash: sha256Hex(secret),
      });
      await m.insert(ApiKey, row);
      const saved = await m.findOneByOrFail(ApiKey, { id: row.id });
      await this.audit.record(m, {
        action: 'api_key.create',
        entityType: 'api_key',
        entityId: saved.id,
        entityPartyId: saved.partyId,
        after: { name: saved.name, role: saved.role, prefix: saved.prefix },
      });
      return {
        id: saved.id,
        name: saved.name,
        role: saved.role,
        prefix: saved.prefix,
        key,
        createdAt: saved.createdAt,
      };
    });
  }

  /** The caller's party's active keys, newest first; never the secret. */
  async list(principal: Principal, query: ApiKeyQueryDto): Promise<Page<ApiKeyDto>> {
    const limit = query.limit ?? 50;
    const qb = this.db
      .getRepository(ApiKey)
      .createQueryBuilder('k')
      .where('k.party_id = :partyId', { partyId: principal.partyId })
      .andWhere('k.revoked_at IS NULL')
      // Milliseconds, as in the cursor (PostgreSQL keeps microseconds, JavaScript dates do not).
      .orderBy(`date_trunc('milliseconds', k.created_at)`, 'DESC')
      .addOrderBy('k.id', 'DESC')
      .limit(limit + 1);
    const cursor = decodeCursor(query.cursor, 2);
    if (
      cursor &&
      (typeof cursor[0] !== 'string' || Number.isNaN(Date.parse(cursor[0])) || !isUUID(cursor[1]))
    ) {
      throw new AppException('VALIDATION_FAILED', 'Invalid cursor', [
        { field: 'cursor', messages: ['cursor is not valid'] },
      ]);
    }
    if (cursor) {
      qb.andWhere(
        `(date_trunc('milliseconds', k.created_at), k.id) < (:at::timestamptz, :id::uuid)`,
        {
          at: cursor[0],
          id: cursor[1],
        },
      );
    }
    const page = toPage(await qb.getMany(), limit, (k) => [k.createdAt.toISOString(), k.id]);
    return { items: page.items.map(toApiKeyDto), nextCursor: page.nextCursor };
  }

  /** Revokes a key of the caller's party (administrators: any key). Others' keys answer 404. */
  async revoke(principal: Principal, id: string): Promise<void> {
    await this.db.transaction(async (m) => {
      const key = await m.findOne(ApiKey, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!key || (key.partyId !== principal.partyId && !hasRole(principal, 'admin'))) {
        throw AppException.notFound('API key');
      }
      if (key.revokedAt) return;
      const revokedAt = new Date();
      await m.update(ApiKey, { id }, { revokedAt });
      await this.audit.record(m, {
        action: 'api_key.revoke',
        entityType: 'api_key',
        entityId: id,
        entityPartyId: key.partyId,
        before: { revokedAt: null },
        after: { revokedAt },
        metadata: { name: key.name, prefix: key.prefix },
      });
    });
  }
}
