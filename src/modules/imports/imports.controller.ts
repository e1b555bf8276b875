import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { Authenticated, Roles } from '../../common/access/access.decorators';
import { CurrentPrincipal } from '../../common/access/current-principal.decorator';
import type { Principal } from '../../common/access/roles';
import { IdPipe } from '../../common/id.pipe';
import { CreateImportDto, ImportAcceptedDto, ImportStatusDto } from './dto/import.dto';
import { ImportsService } from './imports.service';

@ApiTags('imports')
@Controller('imports')
export class ImportsController {
  constructor(private readonly imports: ImportsService) {}

  /**
   * Bulk import of needs or plans (a State's national contact) or offers (a donor focal
   * point); the secretariat imports for a party named by `partyId`. The file travels as text
   * in a JSON body. All or nothing per file: bad rows are reported each by line, field and
   * reason, and then nothing is stored. Follow it with GET /imports/{id}.
   */
  @Post()
  @HttpCode(202)
  @Roles('national_contact', 'donor_focal_point', 'secretariat')
  @ApiAcceptedResponse({ type: ImportAcceptedDto })
  @ApiBadRequestResponse({ description: 'Invalid kind, format, content or partyId' })
  @ApiForbiddenResponse({ description: 'The caller may not import this kind for this party' })
  @ApiUnprocessableEntityResponse({ description: 'partyId does not name an active (State) party' })
  @ApiServiceUnavailableResponse({ description: 'The job queue is unreachable' })
  create(
    @CurrentPrincipal() principal: Principal,
    @Body() body: CreateImportDto,
  ): Promise<ImportAcceptedDto> {
    return this.imports.request(principal, body);
  }

  /** Progress and outcome of an import: the importing party's users and the secretariat. */
  @Get(':id')
  @Authenticated()
  @ApiOkResponse({ type: ImportStatusDto })
  @ApiNotFoundResponse({ description: 'No such import, or another party’s' })
  get(
    @CurrentPrincipal() principal: Principal,
    @Param('id', IdPipe) id: string,
  ): Promise<ImportStatusDto> {
    return this.imports.get(principal, id);
  }
}
