import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import { Roles } from '../../common/access/access.decorators';
import { CurrentPrincipal } from '../../common/access/current-principal.decorator';
import type { Principal } from '../../common/access/roles';
import { IdPipe } from '../../common/id.pipe';
import { AlertsService } from './alerts.service';
import { AcknowledgeAlertDto, AlertDto, AlertPageDto, AlertQueryDto } from './dto/alert.dto';

/**
 * Coordination alerts: over-committed needs, donors overlapping on a State and control area,
 * offers committed beyond their envelope. The secretariat sees all; donors those involving
 * their offers (about needs they may see); States those about their needs.
 */
@ApiTags('coordination')
@Controller('coordination/alerts')
export class AlertsController {
  constructor(private readonly alerts: AlertsService) {}

  /** Alerts the caller may see, newest first. */
  @Get()
  @Roles('secretariat', 'donor_focal_point', 'national_contact')
  @ApiOkResponse({ type: AlertPageDto })
  @ApiBadRequestResponse({ description: 'Invalid filter value' })
  list(@CurrentPrincipal() principal: Principal, @Query() query: AlertQueryDto) {
    return this.alerts.list(principal, query);
  }

  @Get(':id')
  @Roles('secretariat', 'donor_focal_point', 'national_contact')
  @ApiOkResponse({ type: AlertDto })
  @ApiNotFoundResponse({ description: 'No such alert, or not visible to the caller' })
  get(@CurrentPrincipal() principal: Principal, @Param('id', IdPipe) id: string) {
    return this.alerts.get(principal, id);
  }

  /** The secretariat notes the alert has been dealt with (audited). */
  @Post(':id/acknowledge')
  @HttpCode(200)
  @Roles('secretariat')
  @ApiOkResponse({ type: AlertDto })
  @ApiNotFoundResponse({ description: 'No such alert' })
  @ApiConflictResponse({ description: 'Already acknowledged' })
  acknowledge(
    @CurrentPrincipal() principal: Principal,
    @Param('id', IdPipe) id: string,
    @Body() body: AcknowledgeAlertDto,
  ): Promise<AlertDto> {
    return this.alerts.acknowledge(principal, id, body);
  }
}
