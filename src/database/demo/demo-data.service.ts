import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ClsService } from 'nestjs-cls';
import { DataSource } from 'typeorm';
import { PartyType, Role, systemPrincipal } from '../../common/access/roles';
import type { RequestContext } from '../../common/context/request-context';
import { randomPassword } from '../../common/random-password';
import { AuditService } from '../../modules/audit/audit.service';
import { PasswordService } from '../../modules/auth/password.service';
import { Party } from '../../modules/parties/party.entity';
import { User } from '../../modules/users/user.entity';
import { UsersService } from '../../modules/users/users.service';

interface DemoParty {
  type: PartyType;
  name: string;
  acronym?: string;
  countryCode?: string;
  users: { email: string; name: string; roles: Role[]; language?: string }[];
}

/** A small, plausible world: the secretariat, two requesting States and three donors. */
export const DEMO_PARTIES: DemoParty[] = [
  {
    type: 'international_organisation',
    name: 'United Nations Office for Disarmament Affairs',
    acronym: 'UNODA',
    users: [
      {
        email: 'secretariat@demo.example.org',
        name: 'Demo secretariat officer',
        roles: ['secretariat'],
      },
      { email: 'admin@demo.example.org', name: 'Demo administrator', roles: ['admin'] },
    ],
  },
  {
    type: 'state',
    name: 'Sierra Leone',
    countryCode: 'SLE',
    users: [
      {
        email: 'poc.sierra-leone@demo.example.org',
        name: 'Sierra Leone national point of contact',
        roles: ['national_contact'],
      },
    ],
  },
  {
    type: 'state',
    name: 'Peru',
    countryCode: 'PER',
    users: [
      {
        email: 'poc.peru@demo.example.org',
        name: 'Peru national point of contact',
        roles: ['national_contact'],
        language: 'es',
      },
    ],
  },
  {
    type: 'state',
    name: 'Germany',
    countryCode: 'DEU',
    users: [
      {
        email: 'donor.germany@demo.example.org',
        name: 'Germany donor focal point',
        roles: ['donor_focal_point'],
      },
    ],
  },
  {
    type: 'trust_fund',
    name: 'UN Trust Facility Supporting Cooperation on Arms Regulation',
    acronym: 'UNSCAR',
    users: [
      {
        email: 'donor.unscar@demo.example.org',
        name: 'UNSCAR focal point',
        roles: ['donor_focal_point'],
      },
    ],
  },
  {
    type: 'regional_organisation',
    name: 'European Union',
    acronym: 'EU',
    users: [
      {
        email: 'donor.eu@demo.example.org',
        name: 'EU focal point',
        roles: ['donor_focal_point'],
        language: 'fr',
      },
    ],
  },
];

export interface DemoAccount {
  email: string;
  roles: Role[];
  party: string;
  password: string | null;
}

@Injectable()
export class DemoDataService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly users: UsersService,
    private readonly passwords: PasswordService,
    private readonly audit: AuditService,
    private readonly cls: ClsService<RequestContext>,
  ) {}

  /**
   * Loads the demo parties and accounts where missing. New accounts get random passwords,
   * returned once; existing ones keep theirs (`password: null`) unless `resetPasswords`.
   */
  async load(options: { resetPasswords?: boolean } = {}): Promise<DemoAccount[]> {
    return this.cls.run(async () => {
      this.cls.set('principal', systemPrincipal('cli:demo'));
      return this.db.transaction(async (m) => {
        const accounts: DemoAccount[] = [];
        for (const spec of DEMO_PARTIES) {
          let party = await m
            .createQueryBuilder(Party, 'p')
            .where('lower(p.name) = lower(:name)', { name: spec.name })
            .getOne();
          if (!party) {
            party = m.create(Party, {
              type: spec.type,
              name: spec.name,
              acronym: spec.acronym ?? null,
              countryCode: spec.countryCode ?? null,
              active: true,
            });
            await m.save(party);
            await this.audit.record(m, {
              action: 'party.create',
              entityType: 'party',
              entityId: party.id,
              entityPartyId: party.id,
              after: party,
              metadata: { demo: true },
            });
          }
          for (const u of spec.users) {
            const existing = await m.findOne(User, { where: { email: u.email } });
            let password: string | null = null;
            if (!existing) {
              password = randomPassword();
              await this.users.create(
                {
                  email: u.email,
                  name: u.name,
                  password,
                  partyId: party.id,
                  roles: u.roles,
                  language: u.language,
                },
                m,
              );
            } else if (options.resetPasswords) {
              password = randomPassword();
              await m.update(
                User,
                { id: existing.id },
                {
                  passwordHash: await this.passwords.hash(password),
                  passwordChangedAt: new Date(),
                },
              );
              await this.audit.record(m, {
                action: 'user.reset_password',
                entityType: 'user',
                entityId: existing.id,
                entityPartyId: party.id,
                metadata: { demo: true },
              });
            }
            accounts.push({
              email: u.email,
              roles: u.roles,
              party: spec.acronym ?? spec.name,
              password,
            });
          }
        }
        return accounts;
      });
    });
  }
}
