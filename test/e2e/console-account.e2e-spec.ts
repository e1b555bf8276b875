import type { TestingModule } from '@nestjs/testing';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../src/config/app-config';
import { sha256Hex } from '../../src/modules/auth/token-crypto';
import { totpCode } from '../../src/modules/auth/totp-codes';
import type { Party } from '../../src/modules/parties/party.entity';
import { createParty, createUser, strongPassword } from '../factories/identity.factory';
import { startSmtpSink, SmtpSink } from '../utils/smtp-sink';
import { bootTestApi, TestApi } from '../utils/test-app';
import { bootTestWorker } from '../utils/test-worker';

const HTML = { Accept: 'text/html' };
const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)![1];
const unescape = (s: string) => s.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(+n));
/** The code of the next time step (within the ±1 step window, never a replay of the last). */
const nextCode = (secret: string) => totpCode(secret, Math.floor(Date.now() / 1000) + 30);
const otherThan = (code: string) => String((Number(code) + 500_000) % 1_000_000).padStart(6, '0');

/** Posts a form of `page` with the CSRF token that page carries, as a browser would. */
async function submit(
  agent: TestAgent,
  page: string,
  action: string,
  fields: object = {},
  status?: number,
) {
  const form = await agent.get(page).set(HTML).expect(200);
  const res = await agent
    .post(action)
    .set(HTML)
    .type('form')
    .send({ _csrf: csrfOf(form.text), ...fields });
  if (status !== undefined && res.status !== status) {
    throw new Error(`${action} answered ${res.status}, not ${status}: ${res.text.slice(0, 2000)}`);
  }
  return res;
}

function browser(api: TestApi): TestAgent {
  return request.agent(api.app.getHttpServer());
}

describe('console: account (two-step sign-in) and password reset', () => {
  let api: TestApi;
  let smtp: SmtpSink;
  let worker: TestingModule;
  let db: DataSource;
  let fund: Party;

  beforeAll(async () => {
    smtp = await startSmtpSink();
    api = await bootTestApi({ env: { SMTP_URL: smtp.url } });
    worker = await bootTestWorker(AppConfig.fromEnv(api.env));
    db = api.app.get(DataSource);
    fund = await createParty(api, { type: 'trust_fund', name: 'UNSCAR' });
  });
  afterAll(async () => {
    await worker?.close();
    await api?.close();
    await smtp?.close();
  });

  describe('two-step sign-in', () => {
    it('enrols from the account page; then signing in requires the code', async () => {
      const { user, password } = await createUser(api, {
        partyId: fund.id,
        roles: ['donor_focal_point'],
      });
      const agent = browser(api);
      await submit(agent, '/app/login', '/app/login', { email: user.email, password }, 303);

      const account = await agent.get('/app/account').set(HTML).expect(200);
      expect(account.headers['cache-control']).toBe('no-store');
      expect(account.text).toContain(user.email);
      expect(account.text).toMatch(/data-testid="totp-status">Off\./);
      expect(account.text).toContain('href="/app/account" aria-current="page"');

      const setup = await submit(agent, '/app/account', '/app/account/totp/setup');
      expect(setup.status).toBe(200);
      expect(setup.headers['cache-control']).toBe('no-store');
      const secret = /data-testid="totp-secret">([A-Z2-7]+)</.exec(setup.text)![1];
      const uri = unescape(/data-testid="totp-uri">([^<]+)</.exec(setup.text)![1]);
      expect(uri).toMatch(/^otpauth:\/\/totp\//);
      expect(uri).toContain(`secret=${secret}`);
      expect(setup.text).toMatch(/<div class="qr" role="img" aria-label="[^"]+"><svg /);
      expect(setup.text).not.toMatch(/<img|src="http/);

      // A wrong code: the error by the field; TOTP stays off; the account page offers to finish.
      const enableToken = csrfOf(setup.text);
      const wrong = await agent
        .post('/app/account/totp/enable')
        .set(HTML)
        .type('form')
        .send({ _csrf: enableToken, code: otherThan(await totpCode(secret)) })
        .expect(422);
      expect(wrong.text).toMatch(/id="f-code-error">.*does not match/);
      expect(wrong.text).toContain('aria-invalid="true"');
      expect(wrong.text).toMatch(/data-testid="totp-status">You started setting it up/);
      const malformed = await agent
        .post('/app/account/totp/enable')
        .set(HTML)
        .type('form')
        .send({ _csrf: enableToken, code: '12ab' })
        .expect(400);
      expect(malformed.text).toContain('code must be six digits');

      const enabled = await agent
        .post('/app/account/totp/enable')
        .set(HTML)
        .type('form')
        .send({ _csrf: enableToken, code: await totpCode(secret) })
        .expect(200);
      expect(enabled.text.match(/<li><code>[^<]+<\/code><\/li>/g)).toHaveLength(10);
      const [row] = (await db.query(`SELECT totp_enabled_at FROM app_user WHERE id = $1`, [
        user.id,
      ])) as { totp_enabled_at: Date | null }[];
      expect(row.totp_enabled_at).not.toBeNull();
      const status = await agent.get('/app/account').set(HTML).expect(200);
      expect(status.text).toMatch(/data-testid="totp-status">On since/);
      expect(status.text).toContain('Unused recovery codes: 10.');

      // Sign out, then sign in: the password alone is not enough any more.
      await submit(agent, '/app/account', '/app/sign-out', {}, 303);
      const fresh = browser(api);
      const noCode = await submit(fresh, '/app/login', '/app/login', {
        email: user.email,
        password,
      });
      expect(noCode.status).toBe(401);
      expect(noCode.text).toContain('with the code from your authenticator app');
      await fresh.get('/app/account').set(HTML).expect(303);
      const withCode = await submit(fresh, '/app/login', '/app/login', {
        email: user.email,
        password,
        totpCode: await nextCode(secret),
      });
      expect(withCode.status).toBe(303);
      await fresh.get('/app/account').set(HTML).expect(200);

      // Turning it off needs the password and a code; a wrong one is shown and changes nothing.
      const badDisable = await submit(fresh, '/app/account', '/app/account/totp/disable', {
        password: 'not the password',
        code: '123456',
      });
      expect(badDisable.status).toBe(422);
      expect(badDisable.text).toContain('Incorrect password or authentication code');
      const [still] = (await db.query(`SELECT totp_enabled_at FROM app_user WHERE id = $1`, [
        user.id,
      ])) as { totp_enabled_at: Date | null }[];
      expect(still.totp_enabled_at).not.toBeNull();
      const actions = (await db.query(
        `SELECT action FROM audit_entry WHERE entity_id = $1 AND action LIKE 'auth.totp%' ORDER BY at`,
        [user.id],
      )) as { action: string }[];
      expect(actions.map((a) => a.action)).toEqual(['auth.totp_setup', 'auth.totp_enabled']);
    });

    it('tells secretariat users that their role keeps it on', async () => {
      const unoda = await createParty(api, {
        type: 'international_organisation',
        name: 'UNODA',
      });
      const { user, password } = await createUser(api, {
        partyId: unoda.id,
        roles: ['secretariat'],
      });
      const agent = browser(api);
      await submit(agent, '/app/login', '/app/login', { email: user.email, password }, 303);
      const setup = await submit(agent, '/app/account', '/app/account/totp/setup', {}, 200);
      const secret = /data-testid="totp-secret">([A-Z2-7]+)</.exec(setup.text)![1];
      await agent
        .post('/app/account/totp/enable')
        .set(HTML)
        .type('form')
        .send({ _csrf: csrfOf(setup.text), code: await totpCode(secret) })
        .expect(200);
      const page = await agent.get('/app/account').set(HTML).expect(200);
      expect(page.text).toContain('Your role requires two-step sign-in');
      expect(page.text).not.toContain('action="/app/account/totp/disable"');
    });
  });

  describe('forgotten password', () => {
    it('links from the sign-in page and answers the same for any address', async () => {
      const agent = browser(api);
      const login = await agent.get('/app/login').set(HTML).expect(200);
      expect(login.text).toContain('<a href="/app/forgot-password">Forgot your password?</a>');

      const empty = await submit(agent, '/app/forgot-password', '/app/forgot-password', {
        email: '',
      });
      expect(empty.status).toBe(400);
      expect(empty.text).toMatch(/id="f-email-error">.*email should not be empty/);

      const unknown = await submit(agent, '/app/forgot-password', '/app/forgot-password', {
        email: 'nobody-here@example.org',
      });
      expect(unknown.status).toBe(303);
      expect(unknown.headers.location).toBe('/app/forgot-password?sent=1');
      const sent = await agent.get('/app/forgot-password?sent=1').set(HTML).expect(200);
      expect(sent.text).toContain('If an account uses this address');
    });

    it('refuses the form without its CSRF token', async () => {
      const agent = browser(api);
      await agent.get('/app/forgot-password').set(HTML).expect(200);
      await agent
        .post('/app/forgot-password')
        .set(HTML)
        .type('form')
        .send({ email: 'someone@example.org' })
        .expect(403);
    });

    it('resets the password with the e-mailed link, then sends the user to sign in', async () => {
      const { user, password } = await createUser(api, {
        partyId: fund.id,
        roles: ['donor_focal_point'],
      });
      const signedIn = browser(api);
      await submit(signedIn, '/app/login', '/app/login', { email: user.email, password }, 303);

      const agent = browser(api);
      const before = smtp.messages.length;
      const asked = await submit(agent, '/app/forgot-password', '/app/forgot-password', {
        email: user.email.toUpperCase(),
      });
      expect(asked.headers.location).toBe('/app/forgot-password?sent=1');
      await smtp.waitFor(before + 1);
      const mail = smtp.messages.find((m) => m.text?.includes(user.name))!;
      const link = /http:\/\/localhost:3000(\/app\/reset-password\?token=[A-Za-z0-9_-]+)/.exec(
        mail.text ?? '',
      )![1];
      const token = new URL(link, 'http://x').searchParams.get('token')!;

      const form = await agent.get(link).set(HTML).expect(200);
      expect(form.text).toContain(`name="token" value="${token}"`);
      expect(form.text).toContain('autocomplete="new-password"');

      const post = (fields: object) =>
        agent
          .post('/app/reset-password')
          .set(HTML)
          .type('form')
          .send({ _csrf: csrfOf(form.text), token, ...fields });
      const newPassword = strongPassword();
      const mismatch = await post({ password: newPassword, passwordConfirm: `${newPassword}x` });
      expect(mismatch.status).toBe(400);
      expect(mismatch.text).toMatch(/id="f-passwordConfirm-error">.*not the same/);
      const weak = await post({ password: 'password1234', passwordConfirm: 'password1234' });
      expect(weak.status).toBe(400);
      expect(weak.text).toMatch(/id="f-password-error">/);
      expect(weak.text).not.toContain('password1234');

      const done = await post({ password: newPassword, passwordConfirm: newPassword });
      expect(done.status).toBe(303);
      expect(done.headers.location).toBe('/app/login?done=passwordReset');
      const login = await agent.get('/app/login?done=passwordReset').set(HTML).expect(200);
      expect(login.text).toContain('Your password is changed.');

      // The old session has ended; the old password fails; the new one works.
      await signedIn.get('/app/account').set(HTML).expect(303);
      const old = await submit(browser(api), '/app/login', '/app/login', {
        email: user.email,
        password,
      });
      expect(old.status).toBe(401);
      await submit(
        browser(api),
        '/app/login',
        '/app/login',
        {
          email: user.email,
          password: newPassword,
        },
        303,
      );

      // The link works once.
      const again = await post({ password: strongPassword(), passwordConfirm: 'x' });
      expect(again.status).toBe(400);
      const reused = await post({ password: newPassword, passwordConfirm: newPassword });
      expect(reused.status).toBe(400);
      expect(reused.text).toContain('data-testid="reset-invalid"');
      expect(reused.text).toContain('href="/app/forgot-password"');
    });

    it('shows an expired or missing token as a dead link, with a way to ask again', async () => {
      const { user } = await createUser(api, { partyId: fund.id, roles: ['donor_focal_point'] });
      const token = 'expired-console-token';
      await db.query(
        `INSERT INTO password_reset_token (user_id, token_hash, expires_at)
         VALUES ($1, $2, now() - interval '1 minute')`,
        [user.id, sha256Hex(token)],
      );
      const agent = browser(api);
      const form = await agent.get(`/app/reset-password?token=${token}`).set(HTML).expect(200);
      const pw = strongPassword();
      const res = await agent
        .post('/app/reset-password')
        .set(HTML)
        .type('form')
        .send({ _csrf: csrfOf(form.text), token, password: pw, passwordConfirm: pw })
        .expect(400);
      expect(res.text).toContain('This link no longer works');
      const missing = await agent.get('/app/reset-password').set(HTML).expect(200);
      expect(missing.text).toContain('data-testid="reset-invalid"');
      expect(missing.text).not.toContain('name="password"');
    });
    it('switching the language on the reset page keeps the token in the address', async () => {
      const agent = browser(api);
      const page = '/app/reset-password?token=kept-token-123';
      const form = await agent.get(page).set(HTML).expect(200);
      expect(form.text).toContain(`name="back" value="${page}"`);
      const switched = await agent
        .post('/app/language')
        .set(HTML)
        .type('form')
        .send({ _csrf: csrfOf(form.text), lang: 'fr', back: page })
        .expect(303);
      expect(switched.headers.location).toBe(page);
    });
  });
});
