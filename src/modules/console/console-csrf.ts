import { Injectable } from '@nestjs/common';
import { doubleCsrf, DoubleCsrfUtilities } from 'csrf-csrf';
import type { Request, Response } from 'express';
import { createHmac, randomBytes } from 'node:crypto';
import { AppConfig } from '../../config/app-config';
import { CSRF_COOKIE, CSRF_FIELD, PRE_SESSION_COOKIE, SESSION_COOKIE } from './console.constants';

type CookieRequest = Request & { cookies: Record<string, string | undefined> };

/** Whether the browser reached us over https (directly or through a trusted proxy) or we run in production. */
export function secureCookies(req: Request, config: AppConfig): boolean {
  return req.secure || config.env.NODE_ENV === 'production';
}

/**
 * CSRF protection for every console form: csrf-csrf's signed double-submit token, bound to the
 * session cookie (or, before sign-in, to a random pre-session cookie), sent back in the `_csrf`
 * field. Cookies are SameSite=Strict and HttpOnly besides.
 */
@Injectable()
export class ConsoleCsrf {
  private readonly csrf: DoubleCsrfUtilities;

  constructor(private readonly config: AppConfig) {
    const secret = createHmac('sha256', config.env.JWT_SECRET)
      .update('salw-console-csrf')
      .digest('hex');
    this.csrf = doubleCsrf({
      getSecret: () => secret,
      getSessionIdentifier: (req) => {
        const cookies = (req as CookieRequest).cookies ?? {};
        return cookies[SESSION_COOKIE] ?? cookies[PRE_SESSION_COOKIE] ?? '';
      },
      cookieName: CSRF_COOKIE,
      cookieOptions: { sameSite: 'strict', path: '/app', secure: false, httpOnly: true },
      getCsrfTokenFromRequest: (req) => {
        const v = (req.body as Record<string, unknown> | undefined)?.[CSRF_FIELD];
        return typeof v === 'string' ? v : null;
      },
    });
  }

  /** Whether a form post carries the token that matches its cookie and session. */
  valid(req: Request): boolean {
    return this.csrf.validateRequest(req);
  }

  /**
   * The token for the forms of the page being rendered. Before sign-in, a pre-session cookie is
   * set first so that the token is bound to this browser.
   */
  token(req: Request, res: Response): string {
    const cookies = ((req as CookieRequest).cookies ??= {});
    const secure = secureCookies(req, this.config);
    if (!cookies[SESSION_COOKIE] && !cookies[PRE_SESSION_COOKIE]) {
      const pre = randomBytes(24).toString('base64url');
      cookies[PRE_SESSION_COOKIE] = pre;
      res.cookie(PRE_SESSION_COOKIE, pre, {
        httpOnly: true,
        sameSite: 'strict',
        path: '/app',
        secure,
      });
    }
    return this.csrf.generateCsrfToken(req, res, {
      cookieOptions: { sameSite: 'strict', path: '/app', secure, httpOnly: true },
    });
  }
}
