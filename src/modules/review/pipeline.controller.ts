import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Roles } from '../../common/access/access.decorators';
import { CurrentPrincipal } from '../../common/access/current-principal.decorator';
import type { Principal } from '../../common/access/roles';
import { PipelineDto, PipelineQueryDto } from './dto/review.dto';
import { PipelineService } from './pipeline.service';

@ApiTags('pipeline')
@Controller('pipeline')
export class PipelineController {
  constructor(private readonly pipelineService: PipelineService) {}

  /**
   * "My pipeline": a State's needs (national contacts) and a donor's offers (focal points),
   * each with suggestions, proposals, agreements, commitments and coverage. The secretariat
   * may pass `partyId`; anyone else passing another party's id gets 403.
   */
  @Get()
  @Roles('national_contact', 'donor_focal_point', 'secretariat')
  @ApiOkResponse({ type: PipelineDto })
  pipeline(
    @CurrentPrincipal() principal: Principal,
    @Query() query: PipelineQueryDto,
  ): Promise<PipelineDto> {
    return this.pipelineService.pipeline(principal, query.partyId);
  }
}
