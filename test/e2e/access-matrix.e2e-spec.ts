import { Controller, Get, Module } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Role } from '../../src/common/access/roles';
import { createParty, createUser, login } from '../factories/identity.factory';
import { declaredRoutes } from '../utils/access-rules';
import { isDocsRoute, listRoutes } from '../utils/routes';
import { bootTestApi, TestApi } from '../utils/test-app';

/** A route that forgets its access rule: the guard must refuse it and the matrix must flag it. */
@Controller('forgotten-rule')
class ForgottenRuleController {
  @Get()
  open() {
    return { leaked: true };
  }
}
@Module({ controllers: [ForgottenRuleController] })
class ForgottenRuleModule {}

type Caller = { name: string; roles: Role[]; token?: string; email?: string; password?: string };

describe('authorisation matrix: every route × every caller', () => {
  let api: TestApi;
  const callers: Caller[] = [
    { name: 'anonymous', roles: [] },
    { name: 'national_contact', roles: ['national_contact'] },
    { name: 'national_contact of another State', roles: ['national_contact'] },
    { name: 'donor_focal_point', roles: ['donor_focal_point'] },
    { name: 'secretariat', roles: ['secretariat'] },
    { name: 'admin', roles: ['admin'] },
  ];

  beforeAll(async () => {
    api = await bootTestApi({ env: { WRITE_RATE_LIMIT_PER_MIN: '100000' } });
    const sle = await createParty(api, { type: 'state', name: 'Sierra Leone', countryCode: 'SLE' });
    const per = await createParty(api, { type: 'state', name: 'Peru', countryCode: 'PER' });
    const fund = await createParty(api, { type: 'trust_fund', name: 'UNSCAR' });
    const unoda = await createParty(api, { type: 'international_organisation', name: 'UNODA' });
    const partyOf: Record<string, string> = {
      national_contact: sle.id,
      'national_contact of another State': per.id,
      donor_focal_point: fund.id,
      secretariat: unoda.id,
      admin: unoda.id,
    };
    for (const caller of callers.slice(1)) {
      const { user, password } = await createUser(api, {
        partyId: partyOf[caller.name],
        roles: caller.roles,
      });
      Object.assign(caller, { email: user.email, password });
      caller.token = (await login(api, user.email, password)).accessToken;
    }
  });
  afterAll(() => api.close());

  it('every served route declares an access rule', () => {
    const declared = new Map(declaredRoutes(api.app).map((r) => [`${r.method} ${r.path}`, r]));
    const served = listRoutes(api.app).filter((r) => !isDocsRoute(r.path));
    const missing = served
      .filter((r) => !declared.get(`${r.method} ${r.path}`)?.rule)
      .map((r) => `${r.method} ${r.path}`);
    expect(served.length).toBeGreaterThan(20);
    expect(missing).toEqual([]);
  });

  it('each caller gets exactly the allow or deny its rule gives', async () => {
    // Logging out ends the caller's session, so those routes go last.
    const routes = declaredRoutes(api.app).sort(
      (a, b) => Number(a.path.endsWith('/logout')) - Number(b.path.endsWith('/logout')),
    );
    const mismatches: string[] = [];
    for (const route of routes) {
      const path = route.path.replace(/:[A-Za-z]+/g, () => randomUUID());
      for (const caller of callers) {
        const rule = route.rule!;
        const expected =
          rule.kind === 'public' || rule.kind === 'metrics-token'
            ? 'allow'
            : !caller.token
              ? 401
              : rule.kind === 'authenticated' || caller.roles.some((r) => rule.roles.includes(r))
                ? 'allow'
                : 403;
        const method = route.method.toLowerCase() as 'get' | 'post' | 'patch' | 'put' | 'delete';
        let req = api.http[method](path);
        if (caller.token) req = req.set('Authorization', `Bearer ${caller.token}`);
        if (['post', 'patch', 'put'].includes(method)) req = req.send({});
        const res = await req;
        const got = res.status === 401 || res.status === 403 ? res.status : 'allow';
        if (got !== expected || res.status >= 500) {
          mismatches.push(
            `${route.method} ${route.path} as ${caller.name}: expected ${expected}, got ${res.status} ${JSON.stringify(res.body)}`,
          );
        }
      }
    }
    expect(mismatches).toEqual([]);
  });

  it('the queue dashboard is for administrators only', async () => {
    // The matrix above ended every caller's session (logout), so sign in again.
    const tokenOf = async (name: string) => {
      const caller = callers.find((c) => c.name === name)!;
      return (await login(api, caller.email!, caller.password!)).accessToken;
    };
    await api.http.get('/admin/queues').expect(401);
    await api.http
      .get('/admin/queues')
      .set('Authorization', `Bearer ${await tokenOf('secretariat')}`)
      .expect(403);
    const res = await api.http
      .get('/admin/queues')
      .set('Authorization', `Bearer ${await tokenOf('admin')}`)
      .expect(200);
    expect(res.text).toMatch(/bull/i);
  });
});

describe('a route without an access rule', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await bootTestApi({ imports: [ForgottenRuleModule] });
  });
  afterAll(() => api.close());

  it('is refused by the guard, even to anonymous callers', async () => {
    const res = await api.http.get('/api/v1/forgotten-rule').expect(403);
    expect(res.body).not.toHaveProperty('leaked');
  });

  it('is flagged by the route-table check the matrix relies on', () => {
    const flagged = declaredRoutes(api.app)
      .filter((r) => !r.rule)
      .map((r) => `${r.method} ${r.path}`);
    expect(flagged).toEqual(['GET /api/v1/forgotten-rule']);
  });
});
