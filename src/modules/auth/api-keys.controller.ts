import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import { Authenticated } from '../../common/access/access.decorators';
import { CurrentPrincipal } from '../../common/access/current-principal.decorator';
import type { Principal } from '../../common/access/roles';
import { IdPipe } from '../../common/id.pipe';
import { Page } from '../../common/pagination';
import { ApiKeysService } from './api-keys.service';
import {
  ApiKeyDto,
  ApiKeyPageDto,
  ApiKeyQueryDto,
  CreateApiKeyDto,
  CreatedApiKeyDto,
} from './dto/api-key.dto';

@ApiTags('api-keys')
@Controller('api-keys')
export class ApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  @Post()
  @Authenticated()
  @ApiOperation({
    summary: 'Create an API key for a machine client of your party',
    description:
      'The key (`salw_<prefix>_<secret>`) is shown only in this answer; send it as `X-API-Key: …` or ' +
      '`Authorization: Bearer …`. It acts with the given role, which must be one you hold (otherwise 403 ' +
      '`FORBIDDEN`), and stops when revoked or when you are deactivated or lose that role.',
  })
  @ApiCreatedResponse({ type: CreatedApiKeyDto })
  @ApiForbiddenResponse({
    description: 'The role is not one the caller holds, or the caller is an API key',
  })
  create(
    @CurrentPrincipal() principal: Principal,
    @Body() body: CreateApiKeyDto,
  ): Promise<CreatedApiKeyDto> {
    return this.keys.create(principal, body);
  }

  @Get()
  @Authenticated()
  @ApiOperation({ summary: "Your party's active API keys, newest first (never the secret)" })
  @ApiOkResponse({ type: ApiKeyPageDto })
  list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: ApiKeyQueryDto,
  ): Promise<Page<ApiKeyDto>> {
    return this.keys.list(principal, query);
  }

  @Delete(':id')
  @Authenticated()
  @HttpCode(204)
  @ApiOperation({
    summary: 'Revoke an API key of your party (administrators: any key)',
    description: 'The key stops working at once. Revoking a revoked key again is a no-op.',
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiNoContentResponse({ description: 'Revoked' })
  @ApiNotFoundResponse({ description: "No such key in the caller's party" })
  async revoke(
    @CurrentPrincipal() principal: Principal,
    @Param('id', IdPipe) id: string,
  ): Promise<void> {
    await this.keys.revoke(principal, id);
  }
}
