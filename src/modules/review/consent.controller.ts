import { applyDecorators, Body, Controller, HttpCode, Param, Post, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiForbiddenResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiPreconditionFailedResponse,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { Authenticated } from '../../common/access/access.decorators';
import { CurrentPrincipal } from '../../common/access/current-principal.decorator';
import type { Principal } from '../../common/access/roles';
import { IdPipe } from '../../common/id.pipe';
import { etagOf, IfMatch } from '../../common/versioning';
import { NeedDto } from '../needs/dto/need.dto';
import { ConsentService } from './consent.service';
import { ObjectNeedDto } from './dto/review.dto';

const consentRoute = () =>
  applyDecorators(
    HttpCode(200),
    Authenticated(),
    ApiHeader({ name: 'If-Match', required: true, description: 'The ETag of the need' }),
    ApiOkResponse({
      type: NeedDto,
      headers: { ETag: { description: 'The new version', schema: { type: 'string' } } },
    }),
    ApiNotFoundResponse({ description: 'No such need, or not visible to the caller' }),
    ApiForbiddenResponse({ description: "Not a national contact of the need's State" }),
    ApiPreconditionFailedResponse({ description: 'Stale If-Match' }),
    ApiResponse({ status: 428, description: 'If-Match missing' }),
    ApiConflictResponse({ description: 'INVALID_TRANSITION: consent is not awaited' }),
  );

/**
 * Consent before circulation of a need the secretariat filed on the State's behalf: until the
 * State consents, or the no-objection period ends without objection, only the State and the
 * secretariat see it.
 */
@ApiTags('needs')
@Controller('needs/:id')
export class ConsentController {
  constructor(private readonly consentService: ConsentService) {}

  /** The State consents: the need circulates at its visibility tier now. */
  @Post('consent')
  @consentRoute()
  async consent(
    @CurrentPrincipal() principal: Principal,
    @Param('id', IdPipe) id: string,
    @IfMatch() ifMatch: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<NeedDto> {
    const need = await this.consentService.consent(principal, id, ifMatch);
    res.setHeader('ETag', etagOf(need.version));
    return need;
  }

  /** The State objects: the need never circulates and is withdrawn with the State's note. */
  @Post('object')
  @consentRoute()
  @ApiBadRequestResponse({ description: 'note missing or too long' })
  async object(
    @CurrentPrincipal() principal: Principal,
    @Param('id', IdPipe) id: string,
    @Body() body: ObjectNeedDto,
    @IfMatch() ifMatch: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<NeedDto> {
    const need = await this.consentService.object(principal, id, body.note, ifMatch);
    res.setHeader('ETag', etagOf(need.version));
    return need;
  }
}
