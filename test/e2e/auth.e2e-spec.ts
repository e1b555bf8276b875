import type { TestingModule } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../src/config/app-config';
import { sha256Hex } from '../../src/modules/auth/token-crypto';
import { totpCode } from '../../src/modules/auth/totp-codes';
import type { Party } from '../../src/modules/parties/party.entity';
import {
  createParty,
  createUser,
  login,
  strongPassword,
  Tokens,
} from '../factories/identity.factory';
import { startSmtpSink, SmtpSink } from '../utils/smtp-sink';
import { bootTestApi, TestApi } from '../utils/test-app';
import { bootTestWorker } from '../utils/test-worker';

const V1 = '/api/v1';
const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

/** The code of the next time step (still within the ±1 step window, and never replayed). */
const nextCode = (secret: string) => totpCode(secret, Math.floor(Date.now() / 1000) + 30);
const currentCode = (secret: string) => totpCode(secret);
const otherThan = (code: string) => String((Number(code) + 500_000) % 1_000_000).padStart(6, '0');

describe('authentication (sessions, limits, reset, TOTP, API keys)', () => {
  let api: TestApi;
  let smtp: SmtpSink;
  let db: DataSource;
  let unoda: Party;
  let fund: Party;
  const secrets: string[] = [];

  const post = (path: string, body: object, headers: Record<string, string> = {}) =>
    api.http.post(`${V1}${path}`).set(headers).send(body);
  const listKeys = (headers: Record<string, string>) => api.http.get(`${V1}/api-keys`).set(headers);

  beforeAll(async () => {
    smtp = await startSmtpSink();
    api = await bootTestApi({ env: { SMTP_URL: smtp.url } });
    db = api.app.get(DataSource);
    unoda = await createParty(api, { type: 'international_organisation', name: 'UNODA' });
    fund = await createParty(api, { type: 'trust_fund', name: 'UNSCAR' });
  });
  afterAll(async () => {
    await api?.close();
    await smtp?.close();
  });

  describe('login, refresh, logout', () => {
    it('a login returns a token pair whose access token reaches an authenticated route', async () => {
      const { user, password } = await createUser(api, {
        partyId: unoda.id,
        roles: ['secretariat'],
      });
      secrets.push(password);
      const res = await post('/auth/login', { email: user.email.toUpperCase(), password }).expect(
        200,
      );
      expect(res.body).toEqual({
        accessToken: expect.any(String),
        refreshToken: expect.any(String),
        expiresIn: 900,
      });
      expect(res.body.refreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
      secrets.push(res.body.refreshToken);
      const claims = JSON.parse(
        Buffer.from(res.body.accessToken.split('.')[1], 'base64url').toString(),
      );
      expect(claims).toMatchObject({
        sub: user.id,
        pid: unoda.id,
        roles: ['secretariat'],
        sid: expect.any(String),
      });
      expect(claims.exp - claims.iat).toBe(900);
      await listKeys(bearer(res.body.accessToken)).expect(200);
      // Only the digest of the refresh token is stored.
      const stored = await db.query(`SELECT token_hash FROM refresh_token WHERE token_hash = $1`, [
        sha256Hex(res.body.refreshToken),
      ]);
      expect(stored).toHaveLength(1);
      const lastLogin = await db.query(`SELECT last_login_at FROM app_user WHERE id = $1`, [
        user.id,
      ]);
      expect(lastLogin[0].last_login_at).not.toBeNull();
    });

    it('anonymous and malformed credentials answer 401', async () => {
      await listKeys({}).expect(401);
      const bad = await listKeys(bearer('not-a-jwt')).expect(401);
      expect(bad.body).toMatchObject({ statusCode: 401, code: 'UNAUTHENTICATED' });
      await listKeys({ Authorization: 'Basic dXNlcjpwYXNz' }).expect(401);
    });

    it('a wrong password and an unknown e-mail answer the same 401', async () => {
      const { user } = await createUser(api, { partyId: unoda.id, roles: ['secretariat'] });
      const wrong = await post('/auth/login', {
        email: user.email,
        password: strongPassword(),
      }).expect(401);
      const unknown = await post('/auth/login', {
        email: 'nobody@example.org',
        password: strongPassword(),
      }).expect(401);
      expect(wrong.body).toMatchObject({
        code: 'UNAUTHENTICATED',
        message: 'Invalid email or password',
      });
      expect(unknown.body.message).toBe(wrong.body.message);
      expect(wrong.body.details).toBeUndefined();
    });

    it('refresh rotates the token; presenting a used one revokes the whole family', async () => {
      const { user, password } = await createUser(api, {
        partyId: unoda.id,
        roles: ['secretariat'],
      });
      const first = await login(api, user.email, password);
      const second = (await post('/auth/refresh', { refreshToken: first.refreshToken }).expect(200))
        .body as Tokens;
      expect(second.refreshToken).not.toBe(first.refreshToken);
      expect(second.expiresIn).toBe(900);
      await listKeys(bearer(second.accessToken)).expect(200);

      const reuse = await post('/auth/refresh', { refreshToken: first.refreshToken }).expect(401);
      expect(reuse.body.code).toBe('UNAUTHENTICATED');
      // The newer refresh token and every access token of the session stop at once.
      await post('/auth/refresh', { refreshToken: second.refreshToken }).expect(401);
      await listKeys(bearer(second.accessToken)).expect(401);
      await listKeys(bearer(first.accessToken)).expect(401);
      const [session] = await db.query(
        `SELECT revoked_reason FROM auth_session WHERE user_id = $1`,
        [user.id],
      );
      expect(session.revoked_reason).toBe('refresh_reuse');
      // Another session of the same user is not affected.
      const other = await login(api, user.email, password);
      await listKeys(bearer(other.accessToken)).expect(200);
      await post('/auth/refresh', { refreshToken: 'unknown-token' }).expect(401);
    });

    it('logout ends the session: its access and refresh tokens stop at once', async () => {
      const { user, password } = await createUser(api, {
        partyId: unoda.id,
        roles: ['donor_focal_point'],
      });
      const tokens = await login(api, user.email, password);
      await post('/auth/logout', {}, bearer(tokens.accessToken)).expect(204);
      await listKeys(bearer(tokens.accessToken)).expect(401);
      await post('/auth/refresh', { refreshToken: tokens.refreshToken }).expect(401);
      await post('/auth/logout', {}).expect(401);
    });

    it('validates the body: unknown fields and a malformed code answer 400', async () => {
      const extra = await post('/auth/login', {
        email: 'a@example.org',
        password: 'x',
        remember: true,
      }).expect(400);
      expect(extra.body.code).toBe('VALIDATION_FAILED');
      await post('/auth/login', {
        email: 'a@example.org',
        password: 'x',
        totpCode: '12ab56',
      }).expect(400);
      await post('/auth/refresh', {}).expect(400);
    });
  });

  describe('failed-login limits', () => {
    it('after 10 failures for an account, the 11th attempt answers 429 even with the right password', async () => {
      const { user, password } = await createUser(api, {
        partyId: unoda.id,
        roles: ['secretariat'],
      });
      const from = { 'X-Forwarded-For': '198.51.100.10' };
      // A success resets the per-account count: 5 failures, a success, then 9 more are still allowed.
      for (let i = 0; i < 5; i++)
        await post('/auth/login', { email: user.email, password: 'wrong-password-1' }, from).expect(
          401,
        );
      await post('/auth/login', { email: user.email, password }, from).expect(200);
      for (let i = 0; i < 9; i++)
        await post('/auth/login', { email: user.email, password: 'wrong-password-2' }, from).expect(
          401,
        );
      await post('/auth/login', { email: user.email, password }, from).expect(200);
      for (let i = 0; i < 10; i++)
        await post('/auth/login', { email: user.email, password: 'wrong-password-3' }, from).expect(
          401,
        );
      const limited = await post('/auth/login', { email: user.email, password }, from).expect(429);
      expect(limited.body).toMatchObject({ statusCode: 429, code: 'RATE_LIMITED' });
      // Per account, whatever the address.
      await post(
        '/auth/login',
        { email: user.email, password },
        { 'X-Forwarded-For': '198.51.100.11' },
      ).expect(429);
      const rows = await db.query(
        `SELECT outcome, count(*)::int AS n FROM login_attempt WHERE email = $1 GROUP BY outcome ORDER BY outcome`,
        [user.email],
      );
      expect(rows).toEqual([
        { outcome: 'invalid_credentials', n: 24 },
        { outcome: 'rate_limited', n: 2 },
        { outcome: 'succeeded', n: 2 },
      ]);
    });

    it('after 50 failures from one address across accounts, that address gets 429', async () => {
      const { user, password } = await createUser(api, {
        partyId: unoda.id,
        roles: ['donor_focal_point'],
      });
      const from = { 'X-Forwarded-For': '203.0.113.50' };
      for (let i = 0; i < 50; i++) {
        await post(
          '/auth/login',
          { email: `guess-${i % 7}@example.org`, password: 'wrong-password' },
          from,
        ).expect(401);
      }
      await post('/auth/login', { email: user.email, password }, from).expect(429);
      // A success does not erase the address's failures.
      await post(
        '/auth/login',
        { email: user.email, password },
        { 'X-Forwarded-For': '203.0.113.51' },
      ).expect(200);
      await post('/auth/login', { email: user.email, password }, from).expect(429);
    });
  });

  describe('password reset', () => {
    let worker: TestingModule;
    beforeAll(async () => {
      worker = await bootTestWorker(AppConfig.fromEnv(api.env));
    });
    afterAll(() => worker?.close());

    it("writes the reset e-mail in the user's language, about their account", async () => {
      const { user } = await createUser(api, {
        partyId: fund.id,
        roles: ['donor_focal_point'],
        language: 'fr',
      });
      const before = smtp.messages.length;
      await post('/auth/password-reset', { email: user.email }).expect(202);
      await smtp.waitFor(before + 1);
      const mail = smtp.messages.find((m) =>
        (Array.isArray(m.to) ? m.to : [m.to]).some((t) =>
          t?.value.some((v) => v.address === user.email),
        ),
      )!;
      expect(mail.subject).toBe('Réinitialiser votre mot de passe');
      expect(mail.text).toContain(`Bonjour ${user.name},`);
      expect(mail.text).toContain('choisir un nouveau mot de passe');
      expect(mail.text).toMatch(/\/app\/reset-password\?token=[A-Za-z0-9_-]+/);
      expect(mail.html).toContain('<html lang="fr"');
      // Not a notification: no word about notification preferences.
      expect(mail.text).toContain('au sujet de votre compte');
      expect(mail.text).not.toContain('préférences de notification');
    });

    it('answers 202 for any address, e-mails a single-use link, and ends every session', async () => {
      const { user, password } = await createUser(api, {
        partyId: fund.id,
        roles: ['donor_focal_point'],
      });
      const session = await login(api, user.email, password);
      const before = smtp.messages.length;
      await post('/auth/password-reset', { email: 'no-such-user@example.org' }).expect(202);
      await post('/auth/password-reset', { email: user.email }).expect(202);
      const mails = await smtp.waitFor(before + 1);
      const mail = mails.find(
        (m) => m.subject === 'Reset your password' && m.text?.includes(user.name),
      )!;
      expect(mail).toBeDefined();
      const token = /\/app\/reset-password\?token=([A-Za-z0-9_-]+)/.exec(mail.text ?? '')![1];
      expect(mail.text).toContain(`http://localhost:3000/app/reset-password?token=${token}`);
      expect(mail.html).toContain(`http://localhost:3000/app/reset-password?token=${token}`);
      expect(smtp.messages.filter((m) => m.text?.includes('no-such-user'))).toHaveLength(0);

      const weak = await post('/auth/password-reset/confirm', {
        token,
        password: 'password1234',
      }).expect(400);
      expect(weak.body).toMatchObject({
        code: 'VALIDATION_FAILED',
        details: [{ field: 'password' }],
      });
      const newPassword = strongPassword();
      await post('/auth/password-reset/confirm', { token, password: newPassword }).expect(204);
      const again = await post('/auth/password-reset/confirm', {
        token,
        password: strongPassword(),
      }).expect(400);
      expect(again.body).toMatchObject({
        code: 'BAD_REQUEST',
        message: 'Invalid or expired reset token',
      });

      await listKeys(bearer(session.accessToken)).expect(401);
      await post('/auth/refresh', { refreshToken: session.refreshToken }).expect(401);
      await post('/auth/login', { email: user.email, password }).expect(401);
      await login(api, user.email, newPassword);
    });

    it('refuses an expired token with the same 400', async () => {
      const { user } = await createUser(api, { partyId: fund.id, roles: ['donor_focal_point'] });
      const token = 'expired-token-for-test';
      await db.query(
        `INSERT INTO password_reset_token (user_id, token_hash, expires_at) VALUES ($1, $2, now() - interval '1 minute')`,
        [user.id, sha256Hex(token)],
      );
      const res = await post('/auth/password-reset/confirm', {
        token,
        password: strongPassword(),
      }).expect(400);
      expect(res.body).toMatchObject({
        code: 'BAD_REQUEST',
        message: 'Invalid or expired reset token',
      });
    });

    it('still answers 202 when Redis is down, keeping the token', async () => {
      const down = await bootTestApi({ env: { REDIS_URL: 'redis://127.0.0.1:1' } });
      try {
        const party = await createParty(down, { type: 'ngo', name: 'Small Arms Survey' });
        const { user } = await createUser(down, {
          partyId: party.id,
          roles: ['donor_focal_point'],
        });
        const started = Date.now();
        await down.http.post(`${V1}/auth/password-reset`).send({ email: user.email }).expect(202);
        expect(Date.now() - started).toBeLessThan(3000);
        const rows = await down.app
          .get(DataSource)
          .query(`SELECT count(*)::int AS n FROM password_reset_token WHERE user_id = $1`, [
            user.id,
          ]);
        expect(rows[0].n).toBe(1);
      } finally {
        await down.close();
      }
    });
  });

  describe('TOTP', () => {
    it('a secretariat user with TOTP needs a code (or a recovery code, once) and cannot disable it', async () => {
      const { user, password } = await createUser(api, {
        partyId: unoda.id,
        roles: ['secretariat'],
      });
      const tokens = await login(api, user.email, password);
      const setup = await post('/auth/totp/setup', {}, bearer(tokens.accessToken)).expect(200);
      expect(setup.body).toEqual({
        secret: expect.stringMatching(/^[A-Z2-7]+$/),
        otpauthUrl: expect.stringMatching(/^otpauth:\/\/totp\//),
        qrCodeDataUrl: expect.stringMatching(/^data:image\/png;base64,/),
      });
      const secret: string = setup.body.secret;
      secrets.push(secret);
      expect(setup.body.otpauthUrl).toContain(`secret=${secret}`);
      const [stored] = await db.query(`SELECT totp_secret_encrypted FROM app_user WHERE id = $1`, [
        user.id,
      ]);
      expect(stored.totp_secret_encrypted).toMatch(/^v1\./);
      expect(stored.totp_secret_encrypted).not.toContain(secret);
      // Not required until enabled.
      await login(api, user.email, password);

      const code = await currentCode(secret);
      await post('/auth/totp/enable', { code: otherThan(code) }, bearer(tokens.accessToken)).expect(
        422,
      );
      const enabled = await post('/auth/totp/enable', { code }, bearer(tokens.accessToken)).expect(
        200,
      );
      const recoveryCodes: string[] = enabled.body.recoveryCodes;
      expect(recoveryCodes).toHaveLength(10);
      expect(new Set(recoveryCodes).size).toBe(10);
      secrets.push(...recoveryCodes);

      const missing = await post('/auth/login', { email: user.email, password }).expect(401);
      expect(missing.body).toMatchObject({
        code: 'UNAUTHENTICATED',
        details: { totpRequired: true },
      });
      const next = await nextCode(secret);
      await post('/auth/login', { email: user.email, password, totpCode: otherThan(next) }).expect(
        401,
      );
      const withCode = await post('/auth/login', {
        email: user.email,
        password,
        totpCode: next,
      }).expect(200);
      // The same code is not accepted twice.
      await post('/auth/login', { email: user.email, password, totpCode: next }).expect(401);
      // A wrong password with a right code is still a wrong password.
      await post('/auth/login', {
        email: user.email,
        password: 'wrong-password',
        totpCode: next,
      }).expect(401);
      const outcomes = await db.query(
        `SELECT outcome FROM login_attempt WHERE email = $1 ORDER BY id`,
        [user.email],
      );
      expect(outcomes.map((r: { outcome: string }) => r.outcome).slice(-5)).toEqual([
        'totp_required',
        'invalid_totp',
        'succeeded',
        'invalid_totp',
        'invalid_credentials',
      ]);

      const disable = await post(
        '/auth/totp/disable',
        { password, code: await nextCode(secret) },
        bearer(withCode.body.accessToken),
      ).expect(403);
      expect(disable.body.code).toBe('FORBIDDEN');

      const recovery = recoveryCodes[3];
      await login(api, user.email, password, { recoveryCode: recovery.toUpperCase() });
      await post('/auth/login', { email: user.email, password, recoveryCode: recovery }).expect(
        401,
      );
      await login(api, user.email, password, { recoveryCode: recoveryCodes[4] });
      await post('/auth/totp/setup', {}, bearer(withCode.body.accessToken)).expect(409);
    });

    it('other users may disable TOTP with their password and a current code', async () => {
      const { user, password } = await createUser(api, {
        partyId: fund.id,
        roles: ['donor_focal_point'],
      });
      const tokens = await login(api, user.email, password);
      const { secret } = (
        await post('/auth/totp/setup', {}, bearer(tokens.accessToken)).expect(200)
      ).body;
      await post(
        '/auth/totp/enable',
        { code: await currentCode(secret) },
        bearer(tokens.accessToken),
      ).expect(200);
      await post(
        '/auth/totp/disable',
        { password: 'wrong-password', code: await nextCode(secret) },
        bearer(tokens.accessToken),
      ).expect(422);
      await post(
        '/auth/totp/disable',
        { password, code: await nextCode(secret) },
        bearer(tokens.accessToken),
      ).expect(204);
      await login(api, user.email, password);
      const [row] = await db.query(
        `SELECT totp_secret_encrypted, totp_enabled_at FROM app_user WHERE id = $1`,
        [user.id],
      );
      expect(row).toEqual({ totp_secret_encrypted: null, totp_enabled_at: null });
    });
  });

  describe('API keys', () => {
    it('a key works by header or bearer, is listed without its secret, and stops at once when revoked', async () => {
      const { user, password } = await createUser(api, {
        partyId: fund.id,
        roles: ['donor_focal_point'],
      });
      const tokens = await login(api, user.email, password);
      const auth = bearer(tokens.accessToken);

      const refused = await post('/api-keys', { name: 'Grant system', role: 'admin' }, auth).expect(
        403,
      );
      expect(refused.body.code).toBe('FORBIDDEN');
      await post('/api-keys', { name: 'Grant system', role: 'owner' }, auth).expect(400);
      const created = await post(
        '/api-keys',
        { name: 'Grant system', role: 'donor_focal_point' },
        auth,
      ).expect(201);
      expect(created.body).toEqual({
        id: expect.any(String),
        name: 'Grant system',
        role: 'donor_focal_point',
        prefix: expect.stringMatching(/^[0-9a-f]{12}$/),
        key: expect.stringMatching(/^salw_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/),
        createdAt: expect.any(String),
      });
      const key: string = created.body.key;
      secrets.push(key);
      expect(key.startsWith(`salw_${created.body.prefix}_`)).toBe(true);

      const viaHeader = await listKeys({ 'X-API-Key': key }).expect(200);
      await listKeys(bearer(key)).expect(200);
      expect(viaHeader.body.nextCursor).toBeNull();
      expect(viaHeader.body.items).toEqual([
        {
          id: created.body.id,
          name: 'Grant system',
          role: 'donor_focal_point',
          prefix: created.body.prefix,
          createdBy: user.id,
          createdAt: created.body.createdAt,
          lastUsedAt: expect.any(String),
        },
      ]);
      expect(JSON.stringify(viaHeader.body)).not.toContain(key.slice(18));
      const [row] = await db.query(`SELECT secret_hash FROM api_key WHERE id = $1`, [
        created.body.id,
      ]);
      expect(row.secret_hash).toBe(sha256Hex(key.slice(18)));

      // A key acts with its role only, and cannot mint keys, enrol TOTP or sign out.
      await post(
        '/api-keys',
        { name: 'Another', role: 'donor_focal_point' },
        { 'X-API-Key': key },
      ).expect(403);
      await post('/auth/totp/setup', {}, { 'X-API-Key': key }).expect(403);
      await post('/auth/logout', {}, { 'X-API-Key': key }).expect(403);
      const tampered = key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A');
      await listKeys({ 'X-API-Key': tampered }).expect(401);
      await listKeys({ 'X-API-Key': 'salw_garbage' }).expect(401);
      await listKeys({ 'X-API-Key': key, ...auth }).expect(401);

      // Another party's user neither sees nor revokes it.
      const other = await createUser(api, { partyId: unoda.id, roles: ['secretariat'] });
      const otherTokens = await login(api, other.user.email, other.password);
      const otherList = await listKeys(bearer(otherTokens.accessToken)).expect(200);
      expect(otherList.body.items).toEqual([]);
      await api.http
        .delete(`${V1}/api-keys/${created.body.id}`)
        .set(bearer(otherTokens.accessToken))
        .expect(404);
      await api.http.delete(`${V1}/api-keys/not-a-uuid`).set(auth).expect(404);

      await api.http.delete(`${V1}/api-keys/${created.body.id}`).set(auth).expect(204);
      await listKeys({ 'X-API-Key': key }).expect(401);
      expect((await listKeys(auth).expect(200)).body.items).toEqual([]);
      await api.http.delete(`${V1}/api-keys/${created.body.id}`).set(auth).expect(204);
    });

    it('an admin may revoke any key', async () => {
      const owner = await createUser(api, { partyId: fund.id, roles: ['donor_focal_point'] });
      const ownerTokens = await login(api, owner.user.email, owner.password);
      const created = await post(
        '/api-keys',
        { name: 'Script', role: 'donor_focal_point' },
        bearer(ownerTokens.accessToken),
      ).expect(201);
      const admin = await createUser(api, { partyId: unoda.id, roles: ['admin'] });
      const adminTokens = await login(api, admin.user.email, admin.password);
      await api.http
        .delete(`${V1}/api-keys/${created.body.id}`)
        .set(bearer(adminTokens.accessToken))
        .expect(204);
      await listKeys({ 'X-API-Key': created.body.key }).expect(401);
    });

    it('records the last use at most once a minute', async () => {
      const { user, password } = await createUser(api, {
        partyId: fund.id,
        roles: ['donor_focal_point'],
      });
      const tokens = await login(api, user.email, password);
      const { id, key } = (
        await post(
          '/api-keys',
          { name: 'Poller', role: 'donor_focal_point' },
          bearer(tokens.accessToken),
        ).expect(201)
      ).body;
      await listKeys({ 'X-API-Key': key }).expect(200);
      const [first] = await db.query(`SELECT last_used_at FROM api_key WHERE id = $1`, [id]);
      expect(first.last_used_at).not.toBeNull();
      await listKeys({ 'X-API-Key': key }).expect(200);
      const [second] = await db.query(`SELECT last_used_at FROM api_key WHERE id = $1`, [id]);
      expect(second.last_used_at).toEqual(first.last_used_at);
      await db.query(
        `UPDATE api_key SET last_used_at = now() - interval '2 minutes' WHERE id = $1`,
        [id],
      );
      await listKeys({ 'X-API-Key': key }).expect(200);
      const [third] = await db.query(
        `SELECT last_used_at > now() - interval '1 minute' AS fresh FROM api_key WHERE id = $1`,
        [id],
      );
      expect(third.fresh).toBe(true);
    });
  });

  it('a deactivated user is refused at once: access token, refresh, login and API keys', async () => {
    const { user, password } = await createUser(api, {
      partyId: fund.id,
      roles: ['donor_focal_point'],
    });
    const tokens = await login(api, user.email, password);
    const { key } = (
      await post(
        '/api-keys',
        { name: 'CI', role: 'donor_focal_point' },
        bearer(tokens.accessToken),
      ).expect(201)
    ).body;
    await listKeys({ 'X-API-Key': key }).expect(200);
    await db.query(`UPDATE app_user SET active = false WHERE id = $1`, [user.id]);
    await listKeys(bearer(tokens.accessToken)).expect(401);
    await listKeys({ 'X-API-Key': key }).expect(401);
    await post('/auth/refresh', { refreshToken: tokens.refreshToken }).expect(401);
    const res = await post('/auth/login', { email: user.email, password }).expect(401);
    expect(res.body.message).toBe('Invalid email or password');
    await post('/auth/password-reset', { email: user.email }).expect(202);
    const resets = await db.query(
      `SELECT count(*)::int AS n FROM password_reset_token WHERE user_id = $1`,
      [user.id],
    );
    expect(resets[0].n).toBe(0);
  });

  it('every action is in the audit trail with the right actor, and no secret is', async () => {
    const rows: {
      action: string;
      actor_kind: string;
      actor_user_id: string | null;
      actor_api_key_id: string | null;
      metadata: Record<string, unknown> | null;
    }[] = await db.query(`SELECT * FROM audit_entry ORDER BY at`);
    expect(new Set(rows.map((r) => r.action))).toEqual(
      new Set([
        'auth.login',
        'auth.login_failed',
        'auth.refresh',
        'auth.refresh_reuse',
        'auth.logout',
        'auth.password_reset_requested',
        'auth.password_reset',
        'auth.totp_setup',
        'auth.totp_enabled',
        'auth.totp_disabled',
        'api_key.create',
        'api_key.revoke',
      ]),
    );
    const logins = rows.filter((r) => r.action === 'auth.login');
    expect(logins.every((r) => r.actor_kind === 'user' && r.actor_user_id)).toBe(true);
    const failed = rows.find(
      (r) => r.action === 'auth.login_failed' && r.metadata?.email === 'nobody@example.org',
    );
    expect(failed).toMatchObject({
      actor_kind: 'anonymous',
      actor_user_id: null,
      metadata: { reason: 'invalid_credentials' },
    });
    expect(
      rows.some((r) => r.action === 'auth.login_failed' && r.metadata?.reason === 'rate_limited'),
    ).toBe(true);
    expect(rows.find((r) => r.action === 'auth.refresh_reuse')).toMatchObject({
      actor_kind: 'anonymous',
    });
    expect(rows.find((r) => r.action === 'api_key.create')).toMatchObject({ actor_kind: 'user' });
    const dump = JSON.stringify(rows);
    for (const secret of secrets) expect(dump).not.toContain(secret);
  });
});
