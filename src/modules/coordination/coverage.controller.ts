import { Controller, Get, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiForbiddenResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import { Roles } from '../../common/access/access.decorators';
import { CurrentPrincipal } from '../../common/access/current-principal.decorator';
import type { Principal } from '../../common/access/roles';
import { CoverageDto, CoverageQueryDto } from './dto/coverage.dto';
import { CoverageService } from './coverage.service';

/** Who funds what where, what stays unmet (resolution 62/47, paras. 11–13). */
@ApiTags('coordination')
@Controller('coordination/coverage')
export class CoverageController {
  constructor(private readonly coverage: CoverageService) {}

  /**
   * Coverage and gaps of a slice of needs (the needs list's filters): totals, by donor, by
   * region and by control-area series, and the needs open too long without an agreed match.
   * Only needs the caller may see are counted; a State's national contact sees its own needs.
   */
  @Get()
  @Roles('secretariat', 'donor_focal_point', 'national_contact')
  @ApiOkResponse({ type: CoverageDto })
  @ApiBadRequestResponse({ description: 'Invalid or unknown filter value (UNKNOWN_FILTER_VALUE)' })
  @ApiForbiddenResponse({
    description:
      "A State's national contact asking for another State's slice (or a national contact of a party that is not a State)",
  })
  get(
    @CurrentPrincipal() principal: Principal,
    @Query() query: CoverageQueryDto,
  ): Promise<CoverageDto> {
    return this.coverage.coverage(principal, query);
  }
}
