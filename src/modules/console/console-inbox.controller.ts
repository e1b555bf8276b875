import { Body, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Authenticated } from '../../common/access/access.decorators';
import { CurrentPrincipal } from '../../common/access/current-principal.decorator';
import { Principal } from '../../common/access/roles';
import { IdPipe } from '../../common/id.pipe';
import {
  NotificationDto,
  NotificationQueryDto,
  PreferenceDto,
  UpdatePreferencesDto,
} from '../notifications/dto/notification.dto';
import { InboxService } from '../notifications/inbox.service';
import {
  NOTIFICATION_TYPE_NAMES,
  NOTIFICATION_TYPES,
  NotificationType,
} from '../notifications/notification-types';
import { PreferencesService } from '../notifications/preferences.service';
import { ConsoleController } from './console-controller.decorator';
import { ConsolePages, PageRequest, safeReturnPath } from './console-pages.service';
import { listQuery } from './console-records';
import { FormBody, formErrors, FormErrors, list, text, validated } from './forms';

const INBOX = '/app/notifications';
const PAGE_SIZE = 25;

/** Console pages for the API's links (`/api/v1/matches/<id>` → `/app/matches/<id>`). */
const CONSOLE_ENTITIES: Record<string, string> = {
  need: 'needs',
  offer: 'offers',
  match: 'matches',
  plan: 'plans',
};

/** The console page of a notification's item, when the console has one. */
export function consoleLinkOf(n: Pick<NotificationDto, 'link' | 'entityType' | 'entityId'>) {
  const api = /^\/api\/v1\/(needs|offers|matches|plans)\/([0-9a-f-]{36})$/i.exec(n.link ?? '');
  if (api) return `/app/${api[1]}/${api[2]}`;
  const kind = CONSOLE_ENTITIES[n.entityType];
  return kind && n.entityId ? `/app/${kind}/${n.entityId}` : null;
}

/** The preference form's field names: one per channel and event type (`email.match.proposed`). */
export const PREFERENCE_CHANNELS = ['inApp', 'email', 'emailMode'] as const;
const prefField = (channel: string, type: string) => `${channel}.${type}`;

/**
 * The preference form as the API's PUT body. Every event type shown on the form is sent (a
 * checkbox left empty means off); a ticked box is `true`, anything else typed into it is passed
 * on as is for the API's validation to name.
 */
export function preferencesBody(body: FormBody): { preferences: Record<string, unknown>[] } {
  const flag = (name: string) => {
    const v = text(body, name);
    return v === '' ? false : v === 'true' ? true : v;
  };
  return {
    preferences: list(body, 'eventType').map((eventType) => ({
      eventType,
      inApp: flag(prefField('inApp', eventType)),
      email: flag(prefField('email', eventType)),
      emailMode: text(body, prefField('emailMode', eventType)),
    })),
  };
}

/** The form as typed, to show it again beside its errors. */
function preferenceValues(body: FormBody): Record<string, string> {
  const out: Record<string, string> = {};
  for (const type of list(body, 'eventType')) {
    for (const channel of PREFERENCE_CHANNELS) {
      out[prefField(channel, type)] = text(body, prefField(channel, type));
    }
  }
  return out;
}

function storedValues(prefs: PreferenceDto[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of prefs) {
    out[prefField('inApp', p.eventType)] = p.inApp ? 'true' : '';
    out[prefField('email', p.eventType)] = p.email ? 'true' : '';
    out[prefField('emailMode', p.eventType)] = p.emailMode;
  }
  return out;
}

/**
 * The signed-in user's notifications (the API's in-app inbox) and their channel preferences,
 * through the notifications module's own services.
 */
@ConsoleController('notifications')
export class ConsoleInboxController {
  constructor(
    private readonly pages: ConsolePages,
    private readonly preferences: PreferencesService,
    private readonly inbox: InboxService,
  ) {}

  /** Unread first, then newest; `?unread=1` shows only the unread ones. */
  @Get()
  @Authenticated()
  async list(
    @CurrentPrincipal() principal: Principal,
    @Req() req: PageRequest,
    @Res() res: Response,
    @Query() raw: Record<string, unknown>,
  ) {
    const filters = listQuery(raw, ['cursor', 'unread', 'done']);
    const unread = filters.unread === '1';
    const query = await validated(NotificationQueryDto, {
      limit: PAGE_SIZE,
      ...(filters.cursor ? { cursor: filters.cursor } : {}),
      ...(unread ? { unread: true } : {}),
    });
    const [page, count] = await Promise.all([
      this.inbox.list(principal, query),
      this.inbox.unreadCount(principal),
    ]);
    const here = new URLSearchParams({
      ...(unread ? { unread: '1' } : {}),
      ...(filters.cursor ? { cursor: filters.cursor } : {}),
    }).toString();
    await this.pages.send(req, res, 'inbox/list', {
      items: page.items.map((n) => ({ ...n, href: consoleLinkOf(n) })),
      nextCursor: page.nextCursor,
      unreadOnly: unread,
      unreadCount: count.count,
      later: !!filters.cursor,
      back: here ? `${INBOX}?${here}` : INBOX,
      done: ['markedRead', 'allRead'].includes(filters.done ?? '') ? filters.done : null,
    });
  }

  @Post('read-all')
  @Authenticated()
  async readAll(@CurrentPrincipal() principal: Principal, @Res() res: Response) {
    await this.inbox.readAll(principal);
    res.redirect(303, `${INBOX}?done=allRead`);
  }

  /** Another user's notification (or none) answers 404, as in the API. */
  @Post(':id/read')
  @Authenticated()
  async read(
    @CurrentPrincipal() principal: Principal,
    @Res() res: Response,
    @Param('id', IdPipe) id: string,
    @Body() body: FormBody,
  ) {
    await this.inbox.read(principal, id);
    const back = safeReturnPath(text(body, 'back'), INBOX);
    res.redirect(303, `${back}${back.includes('?') ? '&' : '?'}done=markedRead`);
  }

  @Get('preferences')
  @Authenticated()
  async preferencesForm(
    @CurrentPrincipal() principal: Principal,
    @Req() req: PageRequest,
    @Res() res: Response,
    @Query('done') done?: string,
  ) {
    const { preferences } = await this.preferences.get(principal);
    await this.renderPreferences(req, res, storedValues(preferences), null, 200, done === 'saved');
  }

  /** Saves the form through the API's DTO and service (the same validation, the same audit). */
  @Post('preferences')
  @Authenticated()
  async savePreferences(
    @CurrentPrincipal() principal: Principal,
    @Req() req: PageRequest,
    @Res() res: Response,
    @Body() body: FormBody,
  ) {
    const plain = preferencesBody(body);
    try {
      await this.preferences.update(principal, await validated(UpdatePreferencesDto, plain));
      res.redirect(303, `${INBOX}/preferences?done=saved`);
    } catch (error) {
      // `preferences.3.emailMode` is the field `emailMode.<type of row 3>` on the form.
      const aliases: Record<string, string> = {};
      const fields: string[] = [];
      plain.preferences.forEach((p, i) => {
        if (!(NOTIFICATION_TYPE_NAMES as unknown[]).includes(p.eventType)) return;
        for (const channel of PREFERENCE_CHANNELS) {
          const name = prefField(channel, String(p.eventType));
          fields.push(name);
          aliases[`preferences.${i}.${channel}`] = name;
        }
      });
      const errors = formErrors(error, fields, aliases);
      if (!errors) throw error;
      await this.renderPreferences(req, res, preferenceValues(body), errors, 400, false);
    }
  }

  private async renderPreferences(
    req: PageRequest,
    res: Response,
    values: Record<string, string>,
    errors: FormErrors | null,
    status: number,
    saved: boolean,
  ) {
    await this.pages.send(
      req,
      res,
      'inbox/preferences',
      {
        values,
        errors,
        done: saved ? 'preferencesSaved' : null,
        types: NOTIFICATION_TYPE_NAMES.map((type: NotificationType) => ({
          type,
          webhook: NOTIFICATION_TYPES[type].webhook,
          fields: Object.fromEntries(PREFERENCE_CHANNELS.map((c) => [c, prefField(c, type)])),
        })),
      },
      status,
    );
  }
}
