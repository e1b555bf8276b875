import { Body, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Authenticated, Public } from '../../common/access/access.decorators';
import { CurrentPrincipal } from '../../common/access/current-principal.decorator';
import { hasRole, Principal } from '../../common/access/roles';
import { AppException } from '../../common/errors';
import { LoginDto } from '../auth/dto/login.dto';
import { NeedsService } from '../needs/needs.service';
import { OffersService } from '../offers/offers.service';
import { PartiesService } from '../parties/parties.service';
import { LANGUAGE_COOKIE, SESSION_COOKIE } from './console.constants';
import { ConsoleController } from './console-controller.decorator';
import { secureCookies } from './console-csrf';
import { ConsolePages, PageRequest, safeReturnPath } from './console-pages.service';
import { ConsoleSessionService } from './console-session.service';
import { FormBody, formErrors, text, validated } from './forms';
import { isConsoleLanguage } from './i18n';
import { AppConfig } from '../../config/app-config';

const YEAR_SECONDS = 365 * 24 * 3600;

/** Sign-in and out, the language switch, static assets and the home page. */
@ConsoleController()
export class ConsoleAuthController {
  constructor(
    private readonly pages: ConsolePages,
    private readonly sessions: ConsoleSessionService,
    private readonly needs: NeedsService,
    private readonly offers: OffersService,
    private readonly parties: PartiesService,
    private readonly config: AppConfig,
  ) {}

  @Get('login')
  @Public()
  async loginPage(
    @Req() req: PageRequest,
    @Res() res: Response,
    @Query('next') next?: string,
    @Query('done') done?: string,
  ) {
    if (await this.pages.user(req)) return res.redirect(303, safeReturnPath(next));
    await this.pages.send(req, res, 'login', {
      // After a password reset (console-account.controller.ts): "sign in with it".
      done: done === 'passwordReset' ? done : null,
      next: safeReturnPath(next),
      values: {},
      errors: null,
    });
  }

  @Post('login')
  @Public()
  async login(@Req() req: PageRequest, @Res() res: Response, @Body() body: FormBody) {
    const values = { email: text(body, 'email') };
    const next = safeReturnPath(text(body, 'next'));
    const totpCode = text(body, 'totpCode');
    const recoveryCode = text(body, 'recoveryCode');
    const plain = {
      email: values.email,
      password: typeof body.password === 'string' ? body.password : '',
      ...(totpCode ? { totpCode } : {}),
      ...(recoveryCode ? { recoveryCode } : {}),
    };
    try {
      const cookie = await this.sessions.signIn(await validated(LoginDto, plain), {
        ip: req.ip,
        userAgent: req.header('user-agent'),
      });
      res.cookie(SESSION_COOKIE, cookie, {
        httpOnly: true,
        // Lax: a link from a notification e-mail opens the page signed in; posts stay same-site.
        sameSite: 'lax',
        secure: secureCookies(req, this.config),
        path: '/app',
      });
      return res.redirect(303, next);
    } catch (error) {
      if (!(error instanceof AppException)) throw error;
      const totpRequired = !!(error.details as { totpRequired?: boolean } | undefined)
        ?.totpRequired;
      const status = error.status;
      const messageKey =
        error.code === 'RATE_LIMITED'
          ? 'login.rateLimited'
          : totpRequired
            ? plain.totpCode || plain.recoveryCode
              ? 'login.totpInvalid'
              : 'login.totpRequired'
            : error.code === 'UNAUTHENTICATED'
              ? 'login.invalid'
              : null;
      const errors = messageKey
        ? null
        : formErrors(error, ['email', 'password', 'totpCode', 'recoveryCode']);
      if (!messageKey && !errors) throw error;
      await this.pages.send(
        req,
        res,
        'login',
        { next, values, errors, messageKey, totpRequired },
        status,
      );
    }
  }

  @Post('sign-out')
  @Authenticated()
  async logout(
    @CurrentPrincipal() principal: Principal,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    if (principal.kind === 'user' && principal.sessionId) await this.sessions.signOut(principal);
    res.clearCookie(SESSION_COOKIE, { path: '/app' });
    res.redirect(303, '/app/login');
  }

  /** The language switch: remembered in a cookie, for signed-in and anonymous visitors alike. */
  @Post('language')
  @Public()
  @HttpCode(303)
  language(@Req() req: Request, @Res() res: Response, @Body() body: FormBody) {
    const lang = text(body, 'lang');
    if (!isConsoleLanguage(lang)) {
      throw new AppException('VALIDATION_FAILED', 'Unknown language', [
        { field: 'lang', messages: ['lang must be one of en, fr, es, ar, ru, zh'] },
      ]);
    }
    res.cookie(LANGUAGE_COOKIE, lang, {
      httpOnly: true,
      sameSite: 'lax',
      secure: secureCookies(req, this.config),
      path: '/app',
      maxAge: YEAR_SECONDS * 1000,
    });
    res.redirect(303, safeReturnPath(text(body, 'back')));
  }

  /** The stylesheet and the small script: named by content hash, so cached for a year. */
  @Get('assets/:name')
  @Public()
  asset(@Param('name') name: string, @Res() res: Response) {
    const asset = this.pages.views.assets.get(name);
    if (!asset) throw AppException.notFound('Asset');
    res
      .type(asset.type)
      .setHeader('Cache-Control', `public, max-age=${YEAR_SECONDS}, immutable`)
      .setHeader('ETag', `"${asset.hash}"`)
      .send(asset.body);
  }

  /** The home page: what needs the user's attention, by role. */
  @Get()
  @Authenticated()
  async home(
    @CurrentPrincipal() principal: Principal,
    @Req() req: PageRequest,
    @Res() res: Response,
  ) {
    const data: Record<string, unknown> = {};
    if (hasRole(principal, 'national_contact') && principal.partyId) {
      const party = await this.parties.get(principal.partyId);
      data.myNeeds = party.countryCode
        ? (await this.needs.list(principal, { state: party.countryCode, limit: 10 })).items
        : [];
    }
    if (hasRole(principal, 'donor_focal_point') && principal.partyId) {
      data.myOffers = (
        await this.offers.list(principal, { partyId: principal.partyId, limit: 10 })
      ).items;
    }
    if (hasRole(principal, 'secretariat')) {
      data.submitted = await this.needs.count(principal, { status: 'submitted' });
      data.underReview = await this.needs.count(principal, { status: 'under_review' });
    }
    await this.pages.send(req, res, 'home', data);
  }
}
