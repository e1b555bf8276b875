import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { Roles } from '../../../common/access/access.decorators';
import { CurrentPrincipal } from '../../../common/access/current-principal.decorator';
import type { Principal } from '../../../common/access/roles';
import { IdPipe } from '../../../common/id.pipe';
import { PageQuery } from '../../../common/pagination';
import {
  CreateWebhookDto,
  UpdateWebhookDto,
  WebhookCreatedDto,
  WebhookDeliveryPageDto,
  WebhookDto,
  WebhookPageDto,
} from '../dto/webhook.dto';
import { WebhooksService } from './webhooks.service';

const WEBHOOK_ROLES = ['national_contact', 'donor_focal_point', 'secretariat'] as const;

/**
 * Webhook endpoints of the caller's party (docs/NOTIFICATIONS.md: headers, signature,
 * retries). Another party's endpoint answers 404.
 */
@ApiTags('webhooks')
@Controller('webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  /** Registers an endpoint; the signing secret is in this answer only. */
  @Post()
  @Roles(...WEBHOOK_ROLES)
  @ApiCreatedResponse({ type: WebhookCreatedDto })
  @ApiUnprocessableEntityResponse({
    description: 'Not https, or the host resolves to a private, loopback or link-local address',
  })
  create(@CurrentPrincipal() principal: Principal, @Body() body: CreateWebhookDto) {
    return this.webhooks.create(principal, body);
  }

  @Get()
  @Roles(...WEBHOOK_ROLES)
  @ApiOkResponse({ type: WebhookPageDto })
  list(@CurrentPrincipal() principal: Principal, @Query() query: PageQuery) {
    return this.webhooks.list(principal, query);
  }

  @Get(':id')
  @Roles(...WEBHOOK_ROLES)
  @ApiOkResponse({ type: WebhookDto })
  @ApiNotFoundResponse()
  get(@CurrentPrincipal() principal: Principal, @Param('id', IdPipe) id: string) {
    return this.webhooks.get(principal, id);
  }

  /** Change the URL, event types or description; `active: true` enables a disabled endpoint. */
  @Patch(':id')
  @Roles(...WEBHOOK_ROLES)
  @ApiOkResponse({ type: WebhookDto })
  @ApiNotFoundResponse()
  @ApiUnprocessableEntityResponse({ description: 'The new URL is refused' })
  update(
    @CurrentPrincipal() principal: Principal,
    @Param('id', IdPipe) id: string,
    @Body() body: UpdateWebhookDto,
  ) {
    return this.webhooks.update(principal, id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @Roles(...WEBHOOK_ROLES)
  @ApiNoContentResponse()
  @ApiNotFoundResponse()
  remove(@CurrentPrincipal() principal: Principal, @Param('id', IdPipe) id: string) {
    return this.webhooks.remove(principal, id);
  }

  /** Deliveries to this endpoint, newest first, each with every attempt (status, time, error). */
  @Get(':id/deliveries')
  @Roles(...WEBHOOK_ROLES)
  @ApiOkResponse({ type: WebhookDeliveryPageDto })
  @ApiNotFoundResponse()
  deliveries(
    @CurrentPrincipal() principal: Principal,
    @Param('id', IdPipe) id: string,
    @Query() query: PageQuery,
  ) {
    return this.webhooks.deliveries(principal, id, query);
  }

  /** A new signing secret, shown in this answer only; the old one stops working at once. */
  @Post(':id/rotate-secret')
  @HttpCode(200)
  @Roles(...WEBHOOK_ROLES)
  @ApiOkResponse({ type: WebhookCreatedDto })
  @ApiNotFoundResponse()
  rotateSecret(@CurrentPrincipal() principal: Principal, @Param('id', IdPipe) id: string) {
    return this.webhooks.rotateSecret(principal, id);
  }

  /** Sends the delivery again (same delivery id and body); answered before it is sent. */
  @Post(':id/deliveries/:deliveryId/redeliver')
  @HttpCode(202)
  @Roles(...WEBHOOK_ROLES)
  @ApiAcceptedResponse({ description: '{ id, status: "pending" }' })
  @ApiNotFoundResponse()
  @ApiConflictResponse({ description: 'An attempt is under way, or the endpoint is disabled' })
  redeliver(
    @CurrentPrincipal() principal: Principal,
    @Param('id', IdPipe) id: string,
    @Param('deliveryId', IdPipe) deliveryId: string,
  ) {
    return this.webhooks.redeliver(principal, id, deliveryId);
  }
}
