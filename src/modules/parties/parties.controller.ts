import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { Authenticated, Roles } from '../../common/access/access.decorators';
import { CurrentPrincipal } from '../../common/access/current-principal.decorator';
import { IdPipe } from '../../common/id.pipe';
import type { Principal } from '../../common/access/roles';
import {
  ContactDto,
  CreateContactDto,
  CreatePartyDto,
  PartyDto,
  PartyPageDto,
  PartyQueryDto,
  UpdatePartyDto,
} from './dto/party.dto';
import { PartiesService } from './parties.service';

@ApiTags('parties')
@Controller('parties')
export class PartiesController {
  constructor(private readonly parties: PartiesService) {}

  /** Register a State, organisation, trust fund or NGO (administrators). */
  @Post()
  @Roles('admin')
  @ApiCreatedResponse({ type: PartyDto })
  @ApiConflictResponse({ description: 'The State already has a party, or the name is taken' })
  @ApiUnprocessableEntityResponse({ description: 'Unknown country code' })
  create(@Body() body: CreatePartyDto) {
    return this.parties.create(body);
  }

  /** The directory of parties (names are not restricted). */
  @Get()
  @Authenticated()
  @ApiOkResponse({ type: PartyPageDto })
  list(@Query() query: PartyQueryDto) {
    return this.parties.list(query);
  }

  @Get(':id')
  @Authenticated()
  @ApiOkResponse({ type: PartyDto })
  @ApiNotFoundResponse()
  get(@Param('id', IdPipe) id: string) {
    return this.parties.get(id);
  }

  @Patch(':id')
  @Roles('admin')
  @ApiOkResponse({ type: PartyDto })
  @ApiNotFoundResponse()
  update(@Param('id', IdPipe) id: string, @Body() body: UpdatePartyDto) {
    return this.parties.update(id, body);
  }

  /** Deactivate (parties are never deleted; their users can no longer act for them). */
  @Post(':id/deactivate')
  @HttpCode(200)
  @Roles('admin')
  @ApiOkResponse({ type: PartyDto })
  deactivate(@Param('id', IdPipe) id: string) {
    return this.parties.setActive(id, false);
  }

  @Post(':id/reactivate')
  @HttpCode(200)
  @Roles('admin')
  @ApiOkResponse({ type: PartyDto })
  reactivate(@Param('id', IdPipe) id: string) {
    return this.parties.setActive(id, true);
  }

  /** Contact points, including the national points of contact for the PoA and the ITI. */
  @Get(':id/contacts')
  @Authenticated()
  @ApiOkResponse({ type: [ContactDto] })
  contacts(@Param('id', IdPipe) id: string) {
    return this.parties.contacts(id);
  }

  @Post(':id/contacts')
  @Authenticated()
  @ApiCreatedResponse({
    type: ContactDto,
    description: "The party's own users, the secretariat or an administrator",
  })
  addContact(
    @CurrentPrincipal() principal: Principal,
    @Param('id', IdPipe) id: string,
    @Body() body: CreateContactDto,
  ) {
    return this.parties.addContact(principal, id, body);
  }

  @Delete(':id/contacts/:contactId')
  @HttpCode(204)
  @Authenticated()
  @ApiNoContentResponse()
  removeContact(
    @CurrentPrincipal() principal: Principal,
    @Param('id', IdPipe) id: string,
    @Param('contactId', IdPipe) contactId: string,
  ): Promise<void> {
    return this.parties.removeContact(principal, id, contactId);
  }
}
