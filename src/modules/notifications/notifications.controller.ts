import { Body, Controller, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../../common/access/access.decorators';
import { CurrentPrincipal } from '../../common/access/current-principal.decorator';
import type { Principal } from '../../common/access/roles';
import { IdPipe } from '../../common/id.pipe';
import {
  NotificationDto,
  NotificationPageDto,
  NotificationQueryDto,
  PreferencesDto,
  UnreadCountDto,
  UpdatePreferencesDto,
} from './dto/notification.dto';
import { InboxService } from './inbox.service';
import { PreferencesService } from './preferences.service';

/** The caller's in-app notifications. */
@ApiTags('notifications')
@Controller('notifications')
export class NotificationsController {
  constructor(private readonly inbox: InboxService) {}

  /** Unread first, then newest first; in the language the user had when it was written. */
  @Get()
  @Authenticated()
  @ApiOkResponse({ type: NotificationPageDto })
  list(@CurrentPrincipal() principal: Principal, @Query() query: NotificationQueryDto) {
    return this.inbox.list(principal, query);
  }

  @Get('unread-count')
  @Authenticated()
  @ApiOkResponse({ type: UnreadCountDto })
  unreadCount(@CurrentPrincipal() principal: Principal) {
    return this.inbox.unreadCount(principal);
  }

  /** Marks every unread notification read; answers how many changed. */
  @Post('read-all')
  @HttpCode(200)
  @Authenticated()
  @ApiOkResponse({ type: UnreadCountDto })
  readAll(@CurrentPrincipal() principal: Principal) {
    return this.inbox.readAll(principal);
  }

  /** Idempotent; another user's notification answers 404. */
  @Post(':id/read')
  @HttpCode(200)
  @Authenticated()
  @ApiOkResponse({ type: NotificationDto })
  @ApiNotFoundResponse()
  read(@CurrentPrincipal() principal: Principal, @Param('id', IdPipe) id: string) {
    return this.inbox.read(principal, id);
  }
}

/** Which channels each event type uses for the caller, and immediate e-mail or a daily digest. */
@ApiTags('notifications')
@Controller('notification-preferences')
export class NotificationPreferencesController {
  constructor(private readonly preferences: PreferencesService) {}

  @Get()
  @Authenticated()
  @ApiOkResponse({ type: PreferencesDto })
  get(@CurrentPrincipal() principal: Principal) {
    return this.preferences.get(principal);
  }

  /** Changes the event types named (fields left out keep their value); answers the full set. */
  @Put()
  @Authenticated()
  @ApiOkResponse({ type: PreferencesDto })
  update(@CurrentPrincipal() principal: Principal, @Body() body: UpdatePreferencesDto) {
    return this.preferences.update(principal, body);
  }
}
