import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Response } from 'express';
import { Eta } from 'eta';
import { hasRole, Role } from '../../common/access/roles';
import { AppConfig } from '../../config/app-config';
import { InboxService } from '../notifications/inbox.service';
import type { ConsoleUser } from './console-session.service';
import { fieldId } from './forms';
import {
  Catalogue,
  CONSOLE_LANGUAGES,
  ConsoleLanguage,
  directionOf,
  LANGUAGE_NAMES,
  loadCatalogues,
  Translate,
  translator,
} from './i18n';

/** One static asset, held in memory and named with its content hash for long caching. */
export interface ConsoleAsset {
  body: Buffer;
  type: string;
  hash: string;
}

/** A link of the navigation, shown to the roles listed (or everyone signed in). */
interface NavItem {
  href: string;
  key: string;
  roles?: Role[];
  /** A count shown beside the link (the unread notifications). */
  badge?: 'unread';
}

/** Coverage, the chart, the exports and alerts: the coordination API's roles. */
const COORDINATION_ROLES: Role[] = ['secretariat', 'donor_focal_point', 'national_contact'];

/** The navigation: each link shown to the roles its API route allows. */
const NAV: NavItem[] = [
  { href: '/app', key: 'nav.home' },
  { href: '/app/needs', key: 'nav.needs' },
  { href: '/app/plans', key: 'nav.plans', roles: ['national_contact', 'secretariat', 'admin'] },
  { href: '/app/offers', key: 'nav.offers' },
  { href: '/app/review', key: 'nav.review', roles: ['secretariat'] },
  { href: '/app/audit', key: 'nav.audit', roles: ['secretariat', 'admin'] },
  // Coordination: the API's rule for coverage and alerts, and for allocation runs.
  { href: '/app/coverage', key: 'nav.coverage', roles: COORDINATION_ROLES },
  { href: '/app/alerts', key: 'nav.alerts', roles: COORDINATION_ROLES },
  { href: '/app/allocation', key: 'nav.allocation', roles: ['secretariat', 'admin'] },
  { href: '/app/notifications', key: 'nav.notifications', badge: 'unread' },
  { href: '/app/account', key: 'nav.account' },
];

/** What every page receives besides its own data. */
export interface PageContext {
  lang: ConsoleLanguage;
  user: ConsoleUser | null;
  csrfToken: string;
  path: string;
  /** Where the language switch comes back to: the page with its query (a GET), else its path. */
  returnTo: string;
}

const ASSET_TYPES: Record<string, string> = {
  css: 'text/css; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  svg: 'image/svg+xml',
};

/** Eta templates (views/), message catalogues (i18n/) and assets (assets/), read once. */
@Injectable()
export class ConsoleViews {
  private readonly eta: Eta;
  private readonly catalogues: Record<string, Catalogue>;
  readonly assets = new Map<string, ConsoleAsset>();

  constructor(
    config: AppConfig,
    private readonly inbox: InboxService,
  ) {
    this.eta = new Eta({
      views: join(__dirname, 'views'),
      cache: config.env.NODE_ENV !== 'development',
      autoEscape: true,
      autoTrim: [false, 'nl'],
    });
    this.catalogues = loadCatalogues(join(__dirname, 'i18n'));
    for (const name of ['console.css', 'console.js']) {
      const body = readFileSync(join(__dirname, 'assets', name));
      const hash = createHash('sha256').update(body).digest('hex').slice(0, 12);
      this.assets.set(name, { body, type: ASSET_TYPES[name.split('.').pop()!], hash });
    }
  }

  t(lang: string): Translate {
    return translator(this.catalogues, lang);
  }

  assetUrl(name: string): string {
    return `/app/assets/${name}?v=${this.assets.get(name)!.hash}`;
  }

  /** Renders `page` inside the layout and sends it (no caching: pages carry personal data). */
  async send(
    res: Response,
    page: string,
    ctx: PageContext,
    data: object = {},
    status = 200,
  ): Promise<void> {
    const html = this.render(page, ctx, data, { unread: await this.unread(ctx) });
    res.status(status).type('html').setHeader('Cache-Control', 'no-store').send(html);
  }

  /** The navigation badge: the user's unread in-app notifications (one indexed count). */
  private async unread(ctx: PageContext): Promise<number> {
    const principal = ctx.user?.principal;
    if (!principal?.userId) return 0;
    return (await this.inbox.unreadCount(principal)).count;
  }

  render(
    page: string,
    ctx: PageContext,
    data: object = {},
    badges: Partial<Record<'unread', number>> = {},
  ): string {
    const t = this.t(ctx.lang);
    const principal = ctx.user?.principal;
    const nav = principal
      ? NAV.filter((n) => !n.roles || hasRole(principal, ...n.roles)).map((n) => ({
          ...n,
          label: t(n.key),
          badge: n.badge && badges[n.badge] ? badges[n.badge] : 0,
          badgeLabel: n.badge ? t(`nav.badge.${n.badge}`, { count: badges[n.badge] ?? 0 }) : '',
          current: n.href === '/app' ? ctx.path === '/app' : ctx.path.startsWith(n.href),
        }))
      : [];
    const base = {
      t,
      fieldId,
      values: (data as { values?: unknown }).values ?? {},
      errors: (data as { errors?: unknown }).errors ?? null,
    };
    return this.eta.render(page, {
      ...data,
      fieldId,
      /** One labelled form field (partials/field.eta) with the page's values and errors. */
      field: (opts: object) => this.eta.render('partials/field', { ...base, ...opts }),
      errorSummary: (errors: unknown) =>
        this.eta.render('partials/error-summary', { ...base, errors }),
      ctx,
      t,
      lang: ctx.lang,
      dir: directionOf(ctx.lang),
      user: ctx.user,
      nav,
      languages: CONSOLE_LANGUAGES.map((code) => ({ code, name: LANGUAGE_NAMES[code] })),
      css: this.assetUrl('console.css'),
      js: this.assetUrl('console.js'),
      can: (...roles: Role[]) => hasRole(principal, ...roles),
      fmt: formatters(ctx.lang),
    });
  }
}

/** Number, money and date formatting in the page's language. */
export function formatters(lang: string) {
  const number = new Intl.NumberFormat(lang, { maximumFractionDigits: 2 });
  const percent = new Intl.NumberFormat(lang, { style: 'percent', maximumFractionDigits: 0 });
  return {
    number: (n: number | null | undefined) =>
      n === null || n === undefined ? '' : number.format(n),
    money: (amount: number, currency: string) => {
      try {
        return new Intl.NumberFormat(lang, { style: 'currency', currency }).format(amount);
      } catch {
        return `${number.format(amount)} ${currency}`;
      }
    },
    percent: (n: number) => percent.format(n),
    date: (d: Date | string | null | undefined) =>
      d ? new Date(d).toISOString().slice(0, 10) : '',
    dateTime: (d: Date | string | null | undefined) =>
      d ? new Date(d).toISOString().slice(0, 16).replace('T', ' ') + ' UTC' : '',
  };
}
