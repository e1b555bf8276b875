import { DataSource } from 'typeorm';
import { createParty, createUser, login } from '../factories/identity.factory';
import { bootTestApi, TestApi } from '../utils/test-app';

const STRONG = 'Correct-Horse-Battery-Staple-42';

describe('parties, users, audit trail', () => {
  let api: TestApi;
  let admin: string;
  let secretariat: string;
  let ncSle: string;
  let ncPer: string;
  let sleId: string;
  let perId: string;
  let ncSleUserId: string;
  const writes: string[] = [];

  /** Sends a write and remembers its request id when it succeeds (for the audit check). */
  async function write(
    method: 'post' | 'patch' | 'delete',
    path: string,
    token: string,
    body?: object,
  ) {
    const res = await api.http[method](path)
      .set('Authorization', `Bearer ${token}`)
      .send(body ?? {});
    if (res.status < 300) writes.push(String(res.headers['x-request-id']));
    return res;
  }

  beforeAll(async () => {
    api = await bootTestApi();
    const unoda = await createParty(api, { type: 'international_organisation', name: 'UNODA' });
    const a = await createUser(api, { partyId: unoda.id, roles: ['admin'] });
    admin = (await login(api, a.user.email, a.password)).accessToken;
    const s = await createUser(api, { partyId: unoda.id, roles: ['secretariat'] });
    secretariat = (await login(api, s.user.email, s.password)).accessToken;
  });
  afterAll(() => api.close());

  describe('parties', () => {
    it('an admin registers States (linked to reference countries) and organisations', async () => {
      const sle = await write('post', '/api/v1/parties', admin, {
        type: 'state',
        name: 'Sierra Leone',
        countryCode: 'sle',
      });
      expect(sle.status).toBe(201);
      expect(sle.body).toMatchObject({
        type: 'state',
        name: 'Sierra Leone',
        countryCode: 'SLE',
        active: true,
      });
      sleId = sle.body.id;
      const per = await write('post', '/api/v1/parties', admin, {
        type: 'state',
        name: 'Peru',
        countryCode: 'PER',
      });
      perId = per.body.id;
      const ecowas = await write('post', '/api/v1/parties', admin, {
        type: 'regional_organisation',
        name: 'Economic Community of West African States',
        acronym: 'ECOWAS',
      });
      expect(ecowas.status).toBe(201);
    });

    it('refuses bad parties with clear 4xx and field messages', async () => {
      const noCountry = await api.http
        .post('/api/v1/parties')
        .set('Authorization', `Bearer ${admin}`)
        .send({ type: 'state', name: 'Nowhere' });
      expect(noCountry.status).toBe(400);
      expect(noCountry.body.details).toEqual([
        { field: 'countryCode', messages: expect.any(Array) },
      ]);
      const unknown = await api.http
        .post('/api/v1/parties')
        .set('Authorization', `Bearer ${admin}`)
        .send({ type: 'state', name: 'Atlantis', countryCode: 'ATL' });
      expect(unknown.status).toBe(422);
      expect(unknown.body.code).toBe('UNKNOWN_REFERENCE');
      const duplicate = await api.http
        .post('/api/v1/parties')
        .set('Authorization', `Bearer ${admin}`)
        .send({ type: 'state', name: 'SL again', countryCode: 'SLE' });
      expect(duplicate.status).toBe(409);
      const extra = await api.http
        .post('/api/v1/parties')
        .set('Authorization', `Bearer ${admin}`)
        .send({ type: 'ngo', name: 'Small Arms Survey', colour: 'blue' });
      expect(extra.status).toBe(400);
      expect(extra.body.details).toEqual([
        { field: 'colour', messages: ['colour is not a recognised field'] },
      ]);
      const badType = await api.http
        .post('/api/v1/parties')
        .set('Authorization', `Bearer ${admin}`)
        .send({ type: 'club', name: 'X' });
      expect(badType.status).toBe(400);
      expect(badType.body.details.map((d: { field: string }) => d.field).sort()).toEqual([
        'name',
        'type',
      ]);
    });

    it('lists parties with filters and keyset pagination', async () => {
      const page1 = await api.http
        .get('/api/v1/parties?limit=2')
        .set('Authorization', `Bearer ${secretariat}`)
        .expect(200);
      expect(page1.body.items).toHaveLength(2);
      expect(page1.body.nextCursor).toEqual(expect.any(String));
      const page2 = await api.http
        .get(`/api/v1/parties?limit=2&cursor=${page1.body.nextCursor}`)
        .set('Authorization', `Bearer ${secretariat}`)
        .expect(200);
      const names = [...page1.body.items, ...page2.body.items].map((p: { name: string }) => p.name);
      expect(new Set(names).size).toBe(names.length);
      const states = await api.http
        .get('/api/v1/parties?type=state')
        .set('Authorization', `Bearer ${secretariat}`)
        .expect(200);
      expect(states.body.items.map((p: { countryCode: string }) => p.countryCode).sort()).toEqual([
        'PER',
        'SLE',
      ]);
      await api.http
        .get('/api/v1/parties?cursor=garbage')
        .set('Authorization', `Bearer ${secretariat}`)
        .expect(400);
    });
  });

  describe('users and roles', () => {
    it('an admin creates users; passwords are hashed with argon2id and never returned', async () => {
      const res = await write('post', '/api/v1/users', admin, {
        email: 'POC@Sierra-Leone.example.org',
        password: STRONG,
        name: 'SLE point of contact',
        partyId: sleId,
        roles: ['national_contact'],
      });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        email: 'poc@sierra-leone.example.org',
        roles: ['national_contact'],
        totpEnabled: false,
      });
      expect(JSON.stringify(res.body)).not.toMatch(/password|argon/i);
      ncSleUserId = res.body.id;
      const [row] = await api.app
        .get(DataSource)
        .query('SELECT password_hash FROM app_user WHERE id = $1', [ncSleUserId]);
      expect(row.password_hash).toMatch(/^\$argon2id\$/);
      ncSle = (await login(api, 'poc@sierra-leone.example.org', STRONG)).accessToken;
      const per = await createUser(api, { partyId: perId, roles: ['national_contact'] });
      ncPer = (await login(api, per.user.email, per.password)).accessToken;
    });

    it('refuses weak passwords, duplicate e-mails and roles that do not fit the party', async () => {
      const weak = await api.http
        .post('/api/v1/users')
        .set('Authorization', `Bearer ${admin}`)
        .send({
          email: 'w@example.org',
          password: 'password1234',
          name: 'Weak',
          partyId: sleId,
          roles: ['national_contact'],
        });
      expect(weak.status).toBe(400);
      expect(weak.body.details[0].field).toBe('password');
      const dup = await api.http
        .post('/api/v1/users')
        .set('Authorization', `Bearer ${admin}`)
        .send({
          email: 'poc@sierra-leone.example.org',
          password: STRONG,
          name: 'Dup',
          partyId: sleId,
          roles: ['national_contact'],
        });
      expect(dup.status).toBe(409);
      const unoda = (
        await api.http.get('/api/v1/parties?q=UNODA').set('Authorization', `Bearer ${admin}`)
      ).body.items[0];
      const misfit = await api.http
        .post('/api/v1/users')
        .set('Authorization', `Bearer ${admin}`)
        .send({
          email: 'nc@unoda.example.org',
          password: STRONG,
          name: 'Misfit',
          partyId: unoda.id,
          roles: ['national_contact'],
        });
      expect(misfit.status).toBe(422);
    });

    it('only admins list users; others see only themselves (404 for the rest)', async () => {
      await api.http.get('/api/v1/users').set('Authorization', `Bearer ${ncSle}`).expect(403);
      const all = await api.http
        .get('/api/v1/users?role=national_contact')
        .set('Authorization', `Bearer ${admin}`)
        .expect(200);
      expect(all.body.items.length).toBe(2);
      await api.http
        .get(`/api/v1/users/${ncSleUserId}`)
        .set('Authorization', `Bearer ${ncSle}`)
        .expect(200);
      const other = await api.http
        .get(`/api/v1/users/${ncSleUserId}`)
        .set('Authorization', `Bearer ${ncPer}`)
        .expect(404);
      expect(other.body.code).toBe('NOT_FOUND');
      const me = await api.http
        .get('/api/v1/me')
        .set('Authorization', `Bearer ${ncSle}`)
        .expect(200);
      expect(me.body.id).toBe(ncSleUserId);
    });

    it('contact points: the party itself may add them, another State may not', async () => {
      const own = await write('post', `/api/v1/parties/${sleId}/contacts`, ncSle, {
        role: 'poa_point_of_contact',
        name: 'Commission on SALW',
        email: 'salw@gov.example.sl',
      });
      expect(own.status).toBe(201);
      const iti = await write('post', `/api/v1/parties/${sleId}/contacts`, ncSle, {
        role: 'iti_point_of_contact',
        name: 'Police tracing unit',
      });
      expect(iti.status).toBe(201);
      const foreign = await api.http
        .post(`/api/v1/parties/${sleId}/contacts`)
        .set('Authorization', `Bearer ${ncPer}`)
        .send({ role: 'other', name: 'Intruder' });
      expect(foreign.status).toBe(403);
      await api.http
        .delete(`/api/v1/parties/${sleId}/contacts/${own.body.id}`)
        .set('Authorization', `Bearer ${ncPer}`)
        .expect(403);
      const list = await api.http
        .get(`/api/v1/parties/${sleId}/contacts`)
        .set('Authorization', `Bearer ${ncPer}`)
        .expect(200);
      expect(list.body.map((c: { role: string }) => c.role).sort()).toEqual([
        'iti_point_of_contact',
        'poa_point_of_contact',
      ]);
      const removed = await write(
        'delete',
        `/api/v1/parties/${sleId}/contacts/${iti.body.id}`,
        ncSle,
      );
      expect(removed.status).toBe(204);
    });

    it('deactivation (never deletion) stops the user at once; the last admin cannot be removed', async () => {
      const res = await write('post', `/api/v1/users/${ncSleUserId}/deactivate`, admin);
      expect(res.status).toBe(200);
      expect(res.body.active).toBe(false);
      await api.http.get('/api/v1/me').set('Authorization', `Bearer ${ncSle}`).expect(401);
      const [count] = await api.app
        .get(DataSource)
        .query('SELECT count(*)::int AS n FROM app_user WHERE id = $1', [ncSleUserId]);
      expect(count.n).toBe(1);
      await write('post', `/api/v1/users/${ncSleUserId}/reactivate`, admin);
      const adminId = (await api.http.get('/api/v1/me').set('Authorization', `Bearer ${admin}`))
        .body.id;
      const last = await api.http
        .post(`/api/v1/users/${adminId}/deactivate`)
        .set('Authorization', `Bearer ${admin}`)
        .send({});
      expect(last.status).toBe(409);
    });
  });

  it('deactivating a party stops its users at once; reactivating lets them back', async () => {
    await api.http.get('/api/v1/me').set('Authorization', `Bearer ${ncPer}`).expect(200);
    expect((await write('post', `/api/v1/parties/${perId}/deactivate`, admin)).status).toBe(200);
    await api.http.get('/api/v1/me').set('Authorization', `Bearer ${ncPer}`).expect(401);
    expect((await write('post', `/api/v1/parties/${perId}/reactivate`, admin)).status).toBe(200);
    await api.http.get('/api/v1/me').set('Authorization', `Bearer ${ncPer}`).expect(200);
  });

  describe('audit trail', () => {
    it('has an entry for every successful write of this suite, with actor and changes', async () => {
      expect(writes.length).toBeGreaterThan(8);
      const rows: { request_id: string }[] = await api.app
        .get(DataSource)
        .query('SELECT DISTINCT request_id FROM audit_entry WHERE request_id = ANY($1)', [writes]);
      expect(rows.map((r) => r.request_id).sort()).toEqual([...new Set(writes)].sort());
      const res = await api.http
        .get(`/api/v1/audit?entityType=user&entityId=${ncSleUserId}`)
        .set('Authorization', `Bearer ${secretariat}`)
        .expect(200);
      const actions = res.body.items.map((e: { action: string }) => e.action);
      expect(actions).toEqual(['user.reactivate', 'user.deactivate', 'user.create']);
      expect(res.body.items[1]).toMatchObject({
        actorKind: 'user',
        changes: { active: { before: true, after: false } },
      });
      expect(JSON.stringify(res.body)).not.toMatch(/argon2/);
    });

    it('filters by party, user, action prefix and time, and pages without gaps', async () => {
      const byParty = await api.http
        .get(`/api/v1/audit?partyId=${sleId}`)
        .set('Authorization', `Bearer ${secretariat}`)
        .expect(200);
      expect(byParty.body.items.length).toBeGreaterThan(0);
      expect(
        byParty.body.items.every(
          (e: { actorPartyId: string; entityPartyId: string }) =>
            e.actorPartyId === sleId || e.entityPartyId === sleId,
        ),
      ).toBe(true);
      const future = await api.http
        .get(`/api/v1/audit?from=${new Date(Date.now() + 60000).toISOString()}`)
        .set('Authorization', `Bearer ${secretariat}`)
        .expect(200);
      expect(future.body.items).toEqual([]);
      const prefix = await api.http
        .get('/api/v1/audit?action=party.')
        .set('Authorization', `Bearer ${secretariat}`)
        .expect(200);
      expect(
        prefix.body.items.every((e: { action: string }) => e.action.startsWith('party.')),
      ).toBe(true);
      const seen: string[] = [];
      let cursor: string | null = '';
      while (cursor !== null) {
        const page: { body: { items: { id: string }[]; nextCursor: string | null } } =
          await api.http
            .get(`/api/v1/audit?limit=3${cursor ? `&cursor=${cursor}` : ''}`)
            .set('Authorization', `Bearer ${admin}`)
            .expect(200);
        seen.push(...page.body.items.map((e) => e.id));
        cursor = page.body.nextCursor;
      }
      const [{ n }] = await api.app
        .get(DataSource)
        .query('SELECT count(*)::int AS n FROM audit_entry');
      expect(seen.length).toBe(n);
      expect(new Set(seen).size).toBe(n);
      await api.http.get('/api/v1/audit').set('Authorization', `Bearer ${ncPer}`).expect(403);
    });

    it('cannot be altered with SQL as the application role', async () => {
      const db = api.app.get(DataSource);
      await expect(db.query(`UPDATE audit_entry SET action = 'forged'`)).rejects.toThrow(
        /append-only/,
      );
      await expect(db.query(`DELETE FROM audit_entry`)).rejects.toThrow(/append-only/);
      await expect(db.query(`TRUNCATE audit_entry`)).rejects.toThrow(/append-only/);
      const [{ n }] = await db.query(
        `SELECT count(*)::int AS n FROM audit_entry WHERE action = 'forged'`,
      );
      expect(n).toBe(0);
    });
  });
});

describe('abuse limits', () => {
  let api: TestApi;
  let token: string;
  beforeAll(async () => {
    api = await bootTestApi({ env: { WRITE_RATE_LIMIT_PER_MIN: '3', BODY_LIMIT: '2kb' } });
    const party = await createParty(api, { type: 'ngo', name: 'Small Arms Survey' });
    const { user, password } = await createUser(api, {
      partyId: party.id,
      roles: ['donor_focal_point'],
    });
    token = (await login(api, user.email, password)).accessToken;
  });
  afterAll(() => api.close());

  it('limits writes per user (429) but not reads', async () => {
    const me = (await api.http.get('/api/v1/me').set('Authorization', `Bearer ${token}`)).body;
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await api.http
        .post(`/api/v1/parties/${me.partyId}/contacts`)
        .set('Authorization', `Bearer ${token}`)
        .send({ role: 'other', name: `Contact ${i}` });
      statuses.push(res.status);
      if (res.status === 429)
        expect(res.body).toMatchObject({ statusCode: 429, code: 'RATE_LIMITED' });
    }
    expect(statuses).toEqual([201, 201, 201, 429]);
    for (let i = 0; i < 5; i++)
      await api.http.get('/api/v1/me').set('Authorization', `Bearer ${token}`).expect(200);
  });

  it('refuses request bodies over the limit with 413', async () => {
    const res = await api.http
      .post('/api/v1/auth/login')
      .send({ email: 'x@example.org', password: 'p'.repeat(4000) });
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ statusCode: 413, code: 'PAYLOAD_TOO_LARGE' });
  });
});

describe('first administrator from ADMIN_EMAIL / ADMIN_PASSWORD', () => {
  it('exists before the API reports ready, and only once', async () => {
    const env = { ADMIN_EMAIL: 'First.Admin@example.org', ADMIN_PASSWORD: STRONG };
    const api = await bootTestApi({ env });
    try {
      await api.http.get('/health/ready').expect(200);
      const tokens = await login(api, 'first.admin@example.org', STRONG);
      const me = await api.http
        .get('/api/v1/me')
        .set('Authorization', `Bearer ${tokens.accessToken}`)
        .expect(200);
      expect(me.body.roles).toEqual(['admin']);
      const { FirstAdminService } = await import('../../src/modules/users/first-admin.service');
      expect(
        await api.app
          .get(FirstAdminService)
          .ensure({ email: 'second@example.org', password: STRONG }),
      ).toBe('exists');
      const [{ n }] = await api.app
        .get(DataSource)
        .query(`SELECT count(*)::int AS n FROM app_user WHERE 'admin' = ANY(roles)`);
      expect(n).toBe(1);
    } finally {
      await api.close();
    }
  });

  it('a weak ADMIN_PASSWORD stops the start with a message naming it', async () => {
    await expect(
      bootTestApi({ env: { ADMIN_EMAIL: 'a@example.org', ADMIN_PASSWORD: 'aaaaaaaaaaaa' } }),
    ).rejects.toThrow(/ADMIN_PASSWORD/);
  });
});
