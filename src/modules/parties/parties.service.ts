import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { hasRole, Principal } from '../../common/access/roles';
import { AppException } from '../../common/errors';
import { decodeCursor, Page, toPage } from '../../common/pagination';
import { AuditService } from '../audit/audit.service';
import { ReferenceService } from '../reference/reference.service';
import { CreateContactDto, CreatePartyDto, PartyQueryDto, UpdatePartyDto } from './dto/party.dto';
import { PartyContact } from './party-contact.entity';
import { Party } from './party.entity';

const isUniqueViolation = (e: unknown) =>
  (e as { driverError?: { code?: string } })?.driverError?.code === '23505';

@Injectable()
export class PartiesService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly reference: ReferenceService,
    private readonly audit: AuditService,
  ) {}

  async create(input: CreatePartyDto): Promise<Party> {
    let countryCode: string | null = null;
    if (input.type === 'state') {
      if (!input.countryCode) {
        throw new AppException('VALIDATION_FAILED', 'A State party needs its countryCode', [
          { field: 'countryCode', messages: ['countryCode is required for a State'] },
        ]);
      }
      const country = await this.reference.findCountry(input.countryCode);
      if (!country || country.alpha3.toUpperCase() !== input.countryCode.toUpperCase()) {
        throw new AppException('UNKNOWN_REFERENCE', `Unknown country code: ${input.countryCode}`, [
          {
            field: 'countryCode',
            messages: [`${input.countryCode} is not a reference country (ISO alpha-3)`],
          },
        ]);
      }
      countryCode = country.alpha3;
    } else if (input.countryCode) {
      throw new AppException('VALIDATION_FAILED', 'Only a State party has a countryCode', [
        { field: 'countryCode', messages: ['countryCode applies to States only'] },
      ]);
    }
    return this.db.transaction(async (m) => {
      const party = m.create(Party, {
        type: input.type,
        name: input.name,
        acronym: input.acronym ?? null,
        countryCode,
        active: true,
      });
      try {
        await m.save(party);
      } catch (error) {
        if (isUniqueViolation(error)) {
          throw new AppException(
            'CONFLICT',
            countryCode
              ? `A party for ${countryCode} already exists`
              : `A party named "${input.name}" already exists`,
          );
        }
        throw error;
      }
      await this.audit.record(m, {
        action: 'party.create',
        entityType: 'party',
        entityId: party.id,
        entityPartyId: party.id,
        after: party,
      });
      return party;
    });
  }

  async list(query: PartyQueryDto): Promise<Page<Party>> {
    const limit = query.limit ?? 50;
    const qb = this.db
      .getRepository(Party)
      .createQueryBuilder('p')
      .orderBy('lower(p.name)', 'ASC')
      .addOrderBy('p.id', 'ASC')
      .limit(limit + 1);
    qb.andWhere('p.active = :active', { active: query.active ?? true });
    if (query.type) qb.andWhere('p.type = :type', { type: query.type });
    if (query.state) qb.andWhere('p.country_code = :state', { state: query.state.toUpperCase() });
    if (query.q) {
      qb.andWhere(`(p.name ILIKE :q OR p.acronym ILIKE :q)`, {
        q: `%${query.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`,
      });
    }
    const cursor = decodeCursor(query.cursor, 2);
    if (cursor)
      qb.andWhere('(lower(p.name), p.id) > (:name, :id)', { name: cursor[0], id: cursor[1] });
    const rows = await qb.getMany();
    return toPage(rows, limit, (p) => [p.name.toLowerCase(), p.id]);
  }

  /** Every active State party (id and country code), for pick-lists. */
  async activeStates(): Promise<{ id: string; countryCode: string }[]> {
    return this.db.query(
      `SELECT id, country_code AS "countryCode" FROM party
        WHERE type = 'state' AND active AND country_code IS NOT NULL ORDER BY country_code`,
    );
  }

  async get(id: string, manager: EntityManager = this.db.manager): Promise<Party> {
    const party = await manager.findOne(Party, { where: { id } });
    if (!party) throw AppException.notFound('Party');
    return party;
  }

  async update(id: string, input: UpdatePartyDto): Promise<Party> {
    return this.db.transaction(async (m) => {
      const party = await m.findOne(Party, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!party) throw AppException.notFound('Party');
      const before = { ...party };
      if (input.name !== undefined) party.name = input.name;
      if (input.acronym !== undefined) party.acronym = input.acronym;
      try {
        await m.save(party);
      } catch (error) {
        if (isUniqueViolation(error))
          throw new AppException('CONFLICT', `A party named "${input.name}" already exists`);
        throw error;
      }
      await this.audit.record(m, {
        action: 'party.update',
        entityType: 'party',
        entityId: id,
        entityPartyId: id,
        before,
        after: party,
      });
      return party;
    });
  }

  async setActive(id: string, active: boolean): Promise<Party> {
    return this.db.transaction(async (m) => {
      const party = await m.findOne(Party, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!party) throw AppException.notFound('Party');
      if (party.active === active) return party;
      const before = { active: party.active };
      party.active = active;
      await m.save(party);
      await this.audit.record(m, {
        action: active ? 'party.reactivate' : 'party.deactivate',
        entityType: 'party',
        entityId: id,
        entityPartyId: id,
        before,
        after: { active },
      });
      return party;
    });
  }

  /** Contact points are kept by administrators and by the party's own users. */
  private assertMayEditContacts(principal: Principal, partyId: string): void {
    if (hasRole(principal, 'admin', 'secretariat')) return;
    if (principal.partyId === partyId) return;
    throw new AppException(
      'FORBIDDEN',
      'Only the party itself, the secretariat or an administrator may change its contact points',
    );
  }

  async contacts(partyId: string): Promise<PartyContact[]> {
    await this.get(partyId);
    return this.db
      .getRepository(PartyContact)
      .find({ where: { partyId }, order: { role: 'ASC', name: 'ASC' } });
  }

  async addContact(
    principal: Principal,
    partyId: string,
    input: CreateContactDto,
  ): Promise<PartyContact> {
    return this.db.transaction(async (m) => {
      await this.get(partyId, m);
      this.assertMayEditContacts(principal, partyId);
      const contact = m.create(PartyContact, {
        partyId,
        role: input.role,
        name: input.name,
        title: input.title ?? null,
        organisation: input.organisation ?? null,
        email: input.email?.toLowerCase() ?? null,
        phone: input.phone ?? null,
      });
      await m.save(contact);
      await this.audit.record(m, {
        action: 'party_contact.create',
        entityType: 'party_contact',
        entityId: contact.id,
        entityPartyId: partyId,
        after: contact,
      });
      return contact;
    });
  }

  async removeContact(principal: Principal, partyId: string, contactId: string): Promise<void> {
    await this.db.transaction(async (m) => {
      await this.get(partyId, m);
      const contact = await m.findOne(PartyContact, { where: { id: contactId, partyId } });
      if (!contact) throw AppException.notFound('Contact');
      this.assertMayEditContacts(principal, partyId);
      await m.delete(PartyContact, { id: contactId });
      await this.audit.record(m, {
        action: 'party_contact.delete',
        entityType: 'party_contact',
        entityId: contactId,
        entityPartyId: partyId,
        before: contact,
      });
    });
  }
}
