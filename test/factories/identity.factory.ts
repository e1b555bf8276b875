import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { PartyType, Role } from '../../src/common/access/roles';
import { PasswordService } from '../../src/modules/auth/password.service';
import { Party } from '../../src/modules/parties/party.entity';
import { User } from '../../src/modules/users/user.entity';
import type { TestApi } from '../utils/test-app';

const suffix = () => randomBytes(4).toString('hex');

/** A password that passes the strength rule (random, 22 characters). */
export function strongPassword(): string {
  return `${randomBytes(16).toString('base64url')}#7`;
}

/** A party straight into the database (no API call, no audit entry). */
export async function createParty(
  api: TestApi,
  input: { type: PartyType; name: string; countryCode?: string; acronym?: string },
): Promise<Party> {
  const repo = api.app.get(DataSource).getRepository(Party);
  const party = repo.create({
    type: input.type,
    name: input.name,
    countryCode: input.countryCode ?? null,
    acronym: input.acronym ?? null,
    active: true,
  });
  return repo.save(party);
}

/** A user straight into the database, password hashed as the app does; returns the password too. */
export async function createUser(
  api: TestApi,
  input: {
    partyId: string;
    roles: Role[];
    email?: string;
    password?: string;
    name?: string;
    language?: string;
  },
): Promise<{ user: User; password: string }> {
  const password = input.password ?? strongPassword();
  const repo = api.app.get(DataSource).getRepository(User);
  const user = repo.create({
    partyId: input.partyId,
    email: (input.email ?? `user-${suffix()}@example.org`).toLowerCase(),
    name: input.name ?? `Test User ${suffix()}`,
    passwordHash: await api.app.get(PasswordService).hash(password),
    roles: input.roles,
    language: input.language ?? 'en',
    active: true,
  });
  await repo.insert(user);
  return { user: await repo.findOneByOrFail({ id: user.id }), password };
}

export interface Tokens {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
}

/** Signs in through the API (expects 200); `extra` adds `totpCode` or `recoveryCode`. */
export async function login(
  api: TestApi,
  email: string,
  password: string,
  extra: { totpCode?: string; recoveryCode?: string } = {},
): Promise<Tokens> {
  const res = await api.http.post('/api/v1/auth/login').send({ email, password, ...extra });
  if (res.status !== 200) {
    throw new Error(`login of ${email} answered ${res.status}: ${JSON.stringify(res.body)}`);
  }
  return res.body as Tokens;
}
