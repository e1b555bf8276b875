import type { Request, Response } from 'express';
import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { AppConfig } from '../../config/app-config';
import { CSRF_COOKIE, PRE_SESSION_COOKIE, SESSION_COOKIE } from './console.constants';
import { ConsoleCsrf } from './console-csrf';
import { safeReturnPath } from './console-pages.service';
import { ConsoleSessionService, sessionIdOf } from './console-session.service';
import { fieldId, formErrors, list, numberOrRaw } from './forms';
import { AppException } from '../../common/errors';

const config = (env: Record<string, string> = {}) =>
  ({
    env: { JWT_SECRET: randomBytes(32).toString('hex'), NODE_ENV: 'test', ...env },
  }) as unknown as AppConfig;

/** Just enough of Express for csrf-csrf: cookies in, cookies out. */
function exchange(cookies: Record<string, string>, body: Record<string, string> = {}) {
  const set: Record<string, { value: string; options: Record<string, unknown> }> = {};
  const req = {
    cookies: { ...cookies },
    body,
    method: 'POST',
    secure: false,
  } as unknown as Request;
  const res = {
    cookie: (name: string, value: string, options: Record<string, unknown>) => {
      set[name] = { value, options };
      return res;
    },
  } as unknown as Response;
  return { req, res, set };
}

describe('console session cookies', () => {
  const sessions = (c = config()) => new ConsoleSessionService({} as DataSource, {} as never, c);
  const id = '6f1c1d8e-2b8a-4f7e-9a51-1d1f0c6a9b10';

  it('signs the session id and accepts only its own signature', () => {
    const s = sessions();
    const cookie = s.cookieFor(id);
    expect(s.verify(cookie)).toBe(id);
    expect(s.verify(cookie.slice(0, -2) + 'xx')).toBeNull();
    expect(s.verify(`${id}.`)).toBeNull();
    expect(s.verify('not-a-uuid.abc')).toBeNull();
    expect(s.verify(undefined)).toBeNull();
    // Another deployment's secret gives another signature.
    expect(sessions().verify(cookie)).toBeNull();
  });

  it('reads the session id from the access token the auth service just issued', () => {
    const payload = Buffer.from(JSON.stringify({ sub: 'u', sid: id })).toString('base64url');
    expect(sessionIdOf(`h.${payload}.s`)).toBe(id);
    const bad = Buffer.from(JSON.stringify({ sub: 'u' })).toString('base64url');
    expect(() => sessionIdOf(`h.${bad}.s`)).toThrow();
  });
});

describe('console CSRF tokens', () => {
  it('accepts the token of the page it rendered, bound to the session', () => {
    const csrf = new ConsoleCsrf(config());
    const page = exchange({ [SESSION_COOKIE]: 'session-a' });
    const token = csrf.token(page.req, page.res);
    const cookie = page.set[CSRF_COOKIE];
    expect(cookie.options).toMatchObject({ httpOnly: true, sameSite: 'strict', secure: false });

    const ok = exchange(
      { [SESSION_COOKIE]: 'session-a', [CSRF_COOKIE]: cookie.value },
      { _csrf: token },
    );
    expect(csrf.valid(ok.req)).toBe(true);
    const missing = exchange({ [SESSION_COOKIE]: 'session-a', [CSRF_COOKIE]: cookie.value });
    expect(csrf.valid(missing.req)).toBe(false);
    const otherSession = exchange(
      { [SESSION_COOKIE]: 'session-b', [CSRF_COOKIE]: cookie.value },
      { _csrf: token },
    );
    expect(csrf.valid(otherSession.req)).toBe(false);
    const noCookie = exchange({ [SESSION_COOKIE]: 'session-a' }, { _csrf: token });
    expect(csrf.valid(noCookie.req)).toBe(false);
  });

  it('binds the sign-in form to a pre-session cookie it sets first', () => {
    const csrf = new ConsoleCsrf(config());
    const page = exchange({});
    const token = csrf.token(page.req, page.res);
    const pre = page.set[PRE_SESSION_COOKIE];
    expect(pre.options).toMatchObject({ httpOnly: true, sameSite: 'strict' });
    const post = exchange(
      { [PRE_SESSION_COOKIE]: pre.value, [CSRF_COOKIE]: page.set[CSRF_COOKIE].value },
      { _csrf: token },
    );
    expect(csrf.valid(post.req)).toBe(true);
    const forged = exchange(
      { [PRE_SESSION_COOKIE]: 'attacker', [CSRF_COOKIE]: page.set[CSRF_COOKIE].value },
      { _csrf: token },
    );
    expect(csrf.valid(forged.req)).toBe(false);
  });

  it('marks cookies Secure in production', () => {
    const csrf = new ConsoleCsrf(config({ NODE_ENV: 'production' }));
    const page = exchange({});
    csrf.token(page.req, page.res);
    expect(page.set[CSRF_COOKIE].options.secure).toBe(true);
    expect(page.set[PRE_SESSION_COOKIE].options.secure).toBe(true);
  });
});

describe('console forms and redirects', () => {
  it('returns only to console paths', () => {
    expect(safeReturnPath('/app/needs/1?x=1')).toBe('/app/needs/1?x=1');
    expect(safeReturnPath('/app')).toBe('/app');
    for (const bad of [
      'https://evil.example/app',
      '//evil.example/app',
      '/application',
      '/app/\\evil',
      '/api/v1/needs',
      5,
    ]) {
      expect(safeReturnPath(bad)).toBe('/app');
    }
  });

  it('reads multi-selects and numbers as typed', () => {
    expect(list({ a: ['x', ' ', 'y '] }, 'a')).toEqual(['x', 'y']);
    expect(list({ a: 'x' }, 'a')).toEqual(['x']);
    expect(list({}, 'a')).toEqual([]);
    expect(numberOrRaw('')).toBeUndefined();
    expect(numberOrRaw('40,000')).toBe(40000);
    expect(numberOrRaw('forty')).toBe('forty');
  });

  it("puts a service's field problems next to the form's fields, the rest in the summary", () => {
    const error = new AppException('VALIDATION_FAILED', 'Invalid input', [
      { field: 'title', messages: ['title should not be empty'] },
      { field: 'estimatedCost', messages: ['estimatedCost must be an object'] },
      { field: 'partyId', messages: ['not on this form'] },
    ]);
    const errors = formErrors(error, ['title', 'estimatedCost.amount'], {
      estimatedCost: 'estimatedCost.amount',
    })!;
    expect(errors.fields).toEqual({
      title: ['title should not be empty'],
      'estimatedCost.amount': ['estimatedCost must be an object'],
    });
    expect(errors.summary.map((s) => s.field)).toEqual(['title', 'estimatedCost.amount', null]);
    expect(formErrors(new AppException('NOT_FOUND', 'x'), ['title'])).toBeNull();
    expect(formErrors(new Error('x'), ['title'])).toBeNull();
    expect(fieldId('estimatedCost.amount')).toBe('f-estimatedCost-amount');
  });
});
