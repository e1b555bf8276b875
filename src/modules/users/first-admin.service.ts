import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ClsService } from 'nestjs-cls';
import { DataSource } from 'typeorm';
import { systemPrincipal } from '../../common/access/roles';
import type { RequestContext } from '../../common/context/request-context';
import { AppConfig } from '../../config/app-config';
import { Party } from '../parties/party.entity';
import { User } from './user.entity';
import { UsersService } from './users.service';

export const ADMIN_PARTY_NAME = 'Platform administration';

export type FirstAdminOutcome = 'created' | 'exists';

/**
 * Creates the first administrator from ADMIN_EMAIL/ADMIN_PASSWORD (API start) or from the
 * `create-admin` command, unless an active administrator exists. Runs under an advisory lock
 * so that two API processes starting together create one.
 */
@Injectable()
export class FirstAdminService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly users: UsersService,
    private readonly cls: ClsService<RequestContext>,
  ) {}

  async ensure(input: {
    email: string;
    password: string;
    name?: string;
    force?: boolean;
  }): Promise<FirstAdminOutcome> {
    return this.cls.run(async () => {
      this.cls.set('principal', systemPrincipal());
      return this.db.transaction(async (m) => {
        await m.query(`SELECT pg_advisory_xact_lock(hashtext('salw:first-admin'))`);
        const admins = await m
          .createQueryBuilder(User, 'u')
          .where(`'admin' = ANY(u.roles) AND u.active`)
          .getCount();
        if (admins > 0 && !input.force) return 'exists';
        let party = await m
          .createQueryBuilder(Party, 'p')
          .where('lower(p.name) = lower(:name)', { name: ADMIN_PARTY_NAME })
          .getOne();
        if (!party) {
          party = m.create(Party, {
            type: 'international_organisation',
            name: ADMIN_PARTY_NAME,
            countryCode: null,
            acronym: null,
            active: true,
          });
          await m.save(party);
        }
        await this.users.create(
          {
            email: input.email,
            password: input.password,
            name: input.name ?? 'Platform administrator',
            partyId: party.id,
            roles: ['admin'],
          },
          m,
        );
        return 'created';
      });
    });
  }
}

/** In the API process: the first admin exists before the server listens (so before /health/ready). */
@Injectable()
export class FirstAdminOnStart implements OnApplicationBootstrap {
  private readonly logger = new Logger('FirstAdmin');

  constructor(
    private readonly config: AppConfig,
    private readonly firstAdmin: FirstAdminService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { ADMIN_EMAIL, ADMIN_PASSWORD } = this.config.env;
    if (!ADMIN_EMAIL || !ADMIN_PASSWORD) return;
    try {
      const outcome = await this.firstAdmin.ensure({
        email: ADMIN_EMAIL,
        password: ADMIN_PASSWORD,
      });
      if (outcome === 'created') this.logger.log(`Created the first administrator ${ADMIN_EMAIL}`);
    } catch (error) {
      const details = (error as { details?: { messages?: string[] }[] }).details;
      const reason =
        details?.flatMap((d) => d.messages ?? []).join('; ') || (error as Error).message;
      throw new Error(
        `ADMIN_PASSWORD/ADMIN_EMAIL: cannot create the first administrator: ${reason}`,
        { cause: error },
      );
    }
  }
}
