import { Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { RequestWithPrincipal } from '../../common/access/current-principal.decorator';
import { consoleUserOf, ConsoleRequest } from './console.authenticator';
import { LANGUAGE_COOKIE } from './console.constants';
import { ConsoleCsrf } from './console-csrf';
import { Conflict, conflictView } from './console-records';
import { ConsoleReference } from './console-reference';
import { ConsoleSessionService, ConsoleUser } from './console-session.service';
import { ConsoleViews, PageContext } from './console-views.service';
import { negotiateLanguage } from './i18n';

export type PageRequest = ConsoleRequest &
  RequestWithPrincipal & { consoleContext?: Promise<PageContext> };

/** Builds each page's context (user, language, CSRF token) and renders it. */
@Injectable()
export class ConsolePages {
  constructor(
    readonly views: ConsoleViews,
    private readonly csrf: ConsoleCsrf,
    private readonly sessions: ConsoleSessionService,
    private readonly reference: ConsoleReference,
  ) {}

  /** The signed-in user: from the session cookie, or the principal of an API credential. */
  async user(req: PageRequest): Promise<ConsoleUser | null> {
    const fromCookie = await consoleUserOf(req, this.sessions);
    if (fromCookie) return fromCookie;
    return req.principal ? { principal: req.principal, name: '', email: '', partyName: '' } : null;
  }

  /** The conflict page (409): the newer stored version beside what the user submitted. */
  async sendConflict(req: Request, res: Response, conflict: Conflict): Promise<void> {
    const labels = await this.reference.labels((await this.context(req, res)).lang);
    await this.send(req, res, 'conflict', conflictView(conflict, labels), 409);
  }

  /** Built once per request (the CSRF cookie is set once). */
  context(req: PageRequest, res: Response): Promise<PageContext> {
    req.consoleContext ??= this.build(req, res);
    return req.consoleContext;
  }

  private async build(req: PageRequest, res: Response): Promise<PageContext> {
    const user = await this.user(req);
    return {
      lang: negotiateLanguage(
        req.cookies?.[LANGUAGE_COOKIE],
        user?.principal.language,
        req.header('accept-language'),
      ),
      user,
      csrfToken: this.csrf.token(req, res),
      path: req.path,
      returnTo: req.method === 'GET' ? req.originalUrl : req.path,
    };
  }

  async send(
    req: Request,
    res: Response,
    page: string,
    data: object = {},
    status = 200,
  ): Promise<void> {
    await this.views.send(res, page, await this.context(req as PageRequest, res), data, status);
  }
}

/** A local path to return to after sign-in or a language switch (never another site). */
export function safeReturnPath(value: unknown, fallback = '/app'): string {
  if (typeof value !== 'string') return fallback;
  return /^\/app(?:[/?#]|$)/.test(value) && !value.includes('//') && !value.includes('\\')
    ? value
    : fallback;
}

/** Whether the caller is a browser asking for a page (else errors answer in JSON, like the API). */
export function wantsHtml(req: Request): boolean {
  return /\btext\/html\b/.test(req.header('accept') ?? '');
}
