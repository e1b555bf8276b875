import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
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
import type { Principal } from '../../common/access/roles';
import { IdPipe } from '../../common/id.pipe';
import {
  ChangePasswordDto,
  CreateUserDto,
  UpdateMeDto,
  UpdateUserDto,
  UserDto,
  UserPageDto,
  UserQueryDto,
} from './dto/user.dto';
import { toUserDto, UsersService } from './users.service';

@ApiTags('users')
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  /** Create an account in a party with one or more roles (administrators). */
  @Post()
  @Roles('admin')
  @ApiCreatedResponse({ type: UserDto })
  @ApiConflictResponse({ description: 'E-mail already used, or the party is deactivated' })
  @ApiUnprocessableEntityResponse({
    description: 'Unknown party, or a role that does not fit the party',
  })
  async create(@Body() body: CreateUserDto): Promise<UserDto> {
    return toUserDto(await this.users.create(body));
  }

  @Get()
  @Roles('admin')
  @ApiOkResponse({ type: UserPageDto })
  list(@Query() query: UserQueryDto) {
    return this.users.list(query);
  }

  /** Administrators see any user; others only themselves. */
  @Get(':id')
  @Authenticated()
  @ApiOkResponse({ type: UserDto })
  @ApiNotFoundResponse()
  async get(
    @CurrentPrincipal() principal: Principal,
    @Param('id', IdPipe) id: string,
  ): Promise<UserDto> {
    return toUserDto(await this.users.get(principal, id));
  }

  @Patch(':id')
  @Roles('admin')
  @ApiOkResponse({ type: UserDto })
  async update(@Param('id', IdPipe) id: string, @Body() body: UpdateUserDto): Promise<UserDto> {
    return toUserDto(await this.users.update(id, body));
  }

  /** Deactivate (never delete): sign-ins, tokens and the user's API keys stop at once. */
  @Post(':id/deactivate')
  @HttpCode(200)
  @Roles('admin')
  @ApiOkResponse({ type: UserDto })
  async deactivate(@Param('id', IdPipe) id: string): Promise<UserDto> {
    return toUserDto(await this.users.setActive(id, false));
  }

  @Post(':id/reactivate')
  @HttpCode(200)
  @Roles('admin')
  @ApiOkResponse({ type: UserDto })
  async reactivate(@Param('id', IdPipe) id: string): Promise<UserDto> {
    return toUserDto(await this.users.setActive(id, true));
  }
}

@ApiTags('users')
@Controller('me')
export class MeController {
  constructor(private readonly users: UsersService) {}

  /** The signed-in user's own account. */
  @Get()
  @Authenticated()
  @ApiOkResponse({ type: UserDto })
  async me(@CurrentPrincipal() principal: Principal): Promise<UserDto> {
    return toUserDto(await this.users.get(principal, principal.userId ?? ''));
  }

  @Patch()
  @Authenticated()
  @ApiOkResponse({ type: UserDto })
  async update(
    @CurrentPrincipal() principal: Principal,
    @Body() body: UpdateMeDto,
  ): Promise<UserDto> {
    return toUserDto(await this.users.updateMe(principal, body));
  }

  /** Change the password; every other session of the user ends. */
  @Post('password')
  @HttpCode(204)
  @Authenticated()
  @ApiNoContentResponse()
  changePassword(
    @CurrentPrincipal() principal: Principal,
    @Body() body: ChangePasswordDto,
  ): Promise<void> {
    return this.users.changePassword(principal, body);
  }
}
