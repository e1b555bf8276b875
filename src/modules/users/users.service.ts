import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { hasRole, PartyType, Principal, Role } from '../../common/access/roles';
import { AppException } from '../../common/errors';
import { decodeCursor, Page, toPage } from '../../common/pagination';
import { AuditService } from '../audit/audit.service';
import { PasswordService } from '../auth/password.service';
import { Party } from '../parties/party.entity';
import {
  ChangePasswordDto,
  CreateUserDto,
  UpdateMeDto,
  UpdateUserDto,
  UserDto,
  UserQueryDto,
} from './dto/user.dto';
import { User } from './user.entity';

const isUniqueViolation = (e: unknown) =>
  (e as { driverError?: { code?: string } })?.driverError?.code === '23505';

export function toUserDto(u: User): UserDto {
  return {
    id: u.id,
    partyId: u.partyId,
    email: u.email,
    name: u.name,
    roles: u.roles,
    active: u.active,
    language: u.language,
    totpEnabled: !!u.totpEnabledAt,
    lastLoginAt: u.lastLoginAt,
    createdAt: u.createdAt,
  };
}

/** A national contact acts for a State; other roles may belong to any party. */
export function assertRolesFitParty(roles: Role[], partyType: PartyType): void {
  if (roles.includes('national_contact') && partyType !== 'state') {
    throw new AppException('UNPROCESSABLE', 'national_contact is a role of State parties only', [
      { field: 'roles', messages: ['national_contact requires a State party'] },
    ]);
  }
}

@Injectable()
export class UsersService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly passwords: PasswordService,
    private readonly audit: AuditService,
  ) {}

  async create(input: CreateUserDto, manager?: EntityManager): Promise<User> {
    await this.passwords.assertStrong(input.password, [input.email, input.name]);
    const passwordHash = await this.passwords.hash(input.password);
    const work = async (m: EntityManager) => {
      const party = await m.findOne(Party, { where: { id: input.partyId } });
      if (!party) {
        throw new AppException('UNKNOWN_REFERENCE', 'Unknown party', [
          { field: 'partyId', messages: ['no party has this id'] },
        ]);
      }
      if (!party.active) throw new AppException('CONFLICT', 'The party is deactivated');
      assertRolesFitParty(input.roles, party.type);
      const user = m.create(User, {
        partyId: party.id,
        email: input.email.toLowerCase(),
        name: input.name,
        passwordHash,
        roles: input.roles,
        language: input.language ?? 'en',
        active: true,
      });
      try {
        await m.insert(User, user);
      } catch (error) {
        if (isUniqueViolation(error))
          throw new AppException('CONFLICT', 'A user with this e-mail already exists');
        throw error;
      }
      const saved = await m.findOneByOrFail(User, { id: user.id });
      await this.audit.record(m, {
        action: 'user.create',
        entityType: 'user',
        entityId: saved.id,
        entityPartyId: party.id,
        after: toUserDto(saved),
      });
      return saved;
    };
    return manager ? work(manager) : this.db.transaction(work);
  }

  async list(query: UserQueryDto): Promise<Page<UserDto>> {
    const limit = query.limit ?? 50;
    const qb = this.db
      .getRepository(User)
      .createQueryBuilder('u')
      .orderBy('u.email', 'ASC')
      .limit(limit + 1);
    if (query.partyId) qb.andWhere('u.party_id = :partyId', { partyId: query.partyId });
    if (query.role) qb.andWhere(':role = ANY(u.roles)', { role: query.role });
    if (query.active !== undefined) qb.andWhere('u.active = :active', { active: query.active });
    if (query.q) {
      qb.andWhere('(u.email ILIKE :q OR u.name ILIKE :q)', {
        q: `%${query.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`,
      });
    }
    const cursor = decodeCursor(query.cursor, 1);
    if (cursor) qb.andWhere('u.email > :after', { after: cursor[0] });
    const page = toPage(await qb.getMany(), limit, (u) => [u.email]);
    return { items: page.items.map(toUserDto), nextCursor: page.nextCursor };
  }

  /** Administrators see every user; anyone else only themselves (others answer 404). */
  async get(principal: Principal, id: string): Promise<User> {
    if (!hasRole(principal, 'admin') && principal.userId !== id)
      throw AppException.notFound('User');
    const user = await this.db.getRepository(User).findOne({ where: { id } });
    if (!user) throw AppException.notFound('User');
    return user;
  }

  private async lockUser(m: EntityManager, id: string): Promise<User> {
    const user = await m.findOne(User, { where: { id }, lock: { mode: 'pessimistic_write' } });
    if (!user) throw AppException.notFound('User');
    return user;
  }

  /** Refuses a change that would leave no active administrator (serialised by an advisory lock). */
  private async assertAnotherAdmin(m: EntityManager, userId: string): Promise<void> {
    await m.query(`SELECT pg_advisory_xact_lock(hashtext('salw:admins'))`);
    const others = await m
      .createQueryBuilder(User, 'u')
      .where(`'admin' = ANY(u.roles) AND u.active AND u.id <> :userId`, { userId })
      .getCount();
    if (others === 0)
      throw new AppException(
        'CONFLICT',
        'The platform must keep at least one active administrator',
      );
  }

  async update(id: string, input: UpdateUserDto): Promise<User> {
    return this.db.transaction(async (m) => {
      const user = await this.lockUser(m, id);
      const before = toUserDto(user);
      if (input.roles) {
        const party = await m.findOneByOrFail(Party, { id: user.partyId });
        assertRolesFitParty(input.roles, party.type);
        if (user.roles.includes('admin') && !input.roles.includes('admin'))
          await this.assertAnotherAdmin(m, id);
        user.roles = input.roles;
      }
      if (input.name !== undefined) user.name = input.name;
      if (input.language !== undefined) user.language = input.language;
      await m.save(user);
      await this.audit.record(m, {
        action: 'user.update',
        entityType: 'user',
        entityId: id,
        entityPartyId: user.partyId,
        before,
        after: toUserDto(user),
      });
      return user;
    });
  }

  /** Deactivation, never deletion: the user's tokens and API keys stop working at once. */
  async setActive(id: string, active: boolean): Promise<User> {
    return this.db.transaction(async (m) => {
      const user = await this.lockUser(m, id);
      if (user.active === active) return user;
      if (!active && user.roles.includes('admin')) await this.assertAnotherAdmin(m, id);
      user.active = active;
      await m.save(user);
      await this.audit.record(m, {
        action: active ? 'user.reactivate' : 'user.deactivate',
        entityType: 'user',
        entityId: id,
        entityPartyId: user.partyId,
        before: { active: !active },
        after: { active },
      });
      return user;
    });
  }

  async updateMe(principal: Principal, input: UpdateMeDto): Promise<User> {
    if (!principal.userId || principal.kind !== 'user')
      throw new AppException('FORBIDDEN', 'Only a signed-in user has a profile');
    return this.db.transaction(async (m) => {
      const user = await this.lockUser(m, principal.userId!);
      const before = toUserDto(user);
      if (input.name !== undefined) user.name = input.name;
      if (input.language !== undefined) user.language = input.language;
      await m.save(user);
      await this.audit.record(m, {
        action: 'user.update_profile',
        entityType: 'user',
        entityId: user.id,
        entityPartyId: user.partyId,
        before,
        after: toUserDto(user),
      });
      return user;
    });
  }

  /** Changes the caller's password and ends every other sign-in session. */
  async changePassword(principal: Principal, input: ChangePasswordDto): Promise<void> {
    if (!principal.userId || principal.kind !== 'user')
      throw new AppException('FORBIDDEN', 'Only a signed-in user has a password');
    await this.db.transaction(async (m) => {
      const user = await m
        .createQueryBuilder(User, 'u')
        .addSelect('u.passwordHash')
        .where('u.id = :id', { id: principal.userId })
        .setLock('pessimistic_write')
        .getOneOrFail();
      if (!(await this.passwords.verify(user.passwordHash, input.currentPassword))) {
        throw new AppException('VALIDATION_FAILED', 'The current password is wrong', [
          { field: 'currentPassword', messages: ['does not match'] },
        ]);
      }
      await this.passwords.assertStrong(input.newPassword, [user.email, user.name], 'newPassword');
      await m.update(
        User,
        { id: user.id },
        {
          passwordHash: await this.passwords.hash(input.newPassword),
          passwordChangedAt: new Date(),
        },
      );
      await m.query(
        `UPDATE auth_session SET revoked_at = now(), revoked_reason = 'password_changed'
          WHERE user_id = $1 AND revoked_at IS NULL AND id IS DISTINCT FROM $2`,
        [user.id, principal.sessionId ?? null],
      );
      await this.audit.record(m, {
        action: 'user.change_password',
        entityType: 'user',
        entityId: user.id,
        entityPartyId: user.partyId,
      });
    });
  }
}
