import { DataSource } from 'typeorm';
import type { Role } from '../../src/common/access/roles';
import type { TestApi } from '../utils/test-app';
import { createParty, createUser, login } from './identity.factory';

export interface Actor {
  token: string;
  userId: string;
  partyId: string;
}

export interface Cast {
  sle: Actor;
  sleDonorSide: Actor;
  per: Actor;
  donor: Actor;
  secretariat: Actor;
  sleParty: string;
  perParty: string;
  ngo: Actor;
}

async function actor(api: TestApi, partyId: string, roles: Role[]): Promise<Actor> {
  const { user, password } = await createUser(api, { partyId, roles });
  const { accessToken } = await login(api, user.email, password);
  return { token: accessToken, userId: user.id, partyId };
}

/** Two States (SLE, PER), a trust fund's donor, the secretariat (UNODA) and an NGO user. */
export async function createCast(api: TestApi): Promise<Cast> {
  const sle = await createParty(api, { type: 'state', name: 'Sierra Leone', countryCode: 'SLE' });
  const per = await createParty(api, { type: 'state', name: 'Peru', countryCode: 'PER' });
  const fund = await createParty(api, { type: 'trust_fund', name: 'UNSCAR' });
  const unoda = await createParty(api, { type: 'international_organisation', name: 'UNODA' });
  const ngo = await createParty(api, { type: 'ngo', name: 'Small Arms Survey' });
  return {
    sle: await actor(api, sle.id, ['national_contact']),
    sleDonorSide: await actor(api, sle.id, ['donor_focal_point']),
    per: await actor(api, per.id, ['national_contact']),
    donor: await actor(api, fund.id, ['donor_focal_point']),
    secretariat: await actor(api, unoda.id, ['secretariat']),
    ngo: await actor(api, ngo.id, ['national_contact']),
    sleParty: sle.id,
    perParty: per.id,
  };
}

/** A dated exchange rate straight into the table (USD is there already). */
export async function insertRate(
  api: TestApi,
  currency: string,
  date: string,
  usdPerUnit: string,
): Promise<void> {
  await api.app.get(DataSource).query(
    `INSERT INTO exchange_rate (currency, rate_date, usd_per_unit) VALUES ($1, $2, $3)
       ON CONFLICT (currency, rate_date) DO UPDATE SET usd_per_unit = EXCLUDED.usd_per_unit`,
    [currency, date, usdPerUnit],
  );
}

/** A valid `POST /needs` body; override what the test is about. */
export function needBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    title: 'Marking machines for the national police armoury',
    description: 'Two dot-peen marking machines and training for six armourers.',
    language: 'en',
    controlAreas: ['05.30'],
    assistanceTypes: ['equipment', 'training'],
    frameworks: ['ITI'],
    priority: 'high',
    estimatedCost: { amount: 120000, currency: 'USD' },
    earliestStart: '2026-01-01',
    neededBy: '2026-12-31',
    visibility: 'public',
    ...overrides,
  };
}

/** Creates a need through the API (expects 201) and returns its body. */
export type NeedBody = Record<string, any> & { id: string; version: number };

export async function createNeed(
  api: TestApi,
  token: string,
  overrides: Record<string, unknown> = {},
): Promise<NeedBody> {
  const res = await api.http
    .post('/api/v1/needs')
    .set('Authorization', `Bearer ${token}`)
    .send(needBody(overrides));
  if (res.status !== 201) {
    throw new Error(`POST /needs answered ${res.status}: ${JSON.stringify(res.body)}`);
  }
  return res.body;
}

/** Fires a need transition with the given version as If-Match. */
export function fireNeed(
  api: TestApi,
  token: string,
  id: string,
  transition: string,
  version: number | undefined,
  body?: object,
) {
  const req = api.http
    .post(`/api/v1/needs/${id}/${transition}`)
    .set('Authorization', `Bearer ${token}`);
  if (version !== undefined) req.set('If-Match', `"${version}"`);
  return body ? req.send(body) : req.send();
}

/** Brings a need (at version `version`) to `published` through the API; returns the body. */
export async function publishNeed(
  api: TestApi,
  cast: Cast,
  need: { id: string; version: number },
  ownerToken = cast.sle.token,
): Promise<NeedBody> {
  const submitted = await fireNeed(api, ownerToken, need.id, 'submit', need.version);
  if (submitted.status !== 200) throw new Error(`submit: ${JSON.stringify(submitted.body)}`);
  const published = await fireNeed(
    api,
    cast.secretariat.token,
    need.id,
    'publish',
    submitted.body.version,
  );
  if (published.status !== 200) throw new Error(`publish: ${JSON.stringify(published.body)}`);
  return published.body;
}
