import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { Request } from 'express';
import { Authenticated, Public } from '../../common/access/access.decorators';
import { CurrentPrincipal } from '../../common/access/current-principal.decorator';
import type { Principal } from '../../common/access/roles';
import { ClientInfo } from './auth.constants';
import { AuthService } from './auth.service';
import { LoginDto, RefreshDto, TokenPairDto } from './dto/login.dto';
import { PasswordResetConfirmDto, PasswordResetRequestDto } from './dto/password-reset.dto';
import { RecoveryCodesDto, TotpCodeDto, TotpDisableDto, TotpSetupDto } from './dto/totp.dto';
import { PasswordResetService } from './password-reset.service';
import { TotpService } from './totp.service';

function clientOf(req: Request): ClientInfo {
  return { ip: req.ip, userAgent: req.header('user-agent') };
}

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly resets: PasswordResetService,
    private readonly totp: TotpService,
  ) {}

  @Post('login')
  @Public()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Sign in with e-mail and password',
    description:
      'Returns a 15-minute access token (JWT, send as `Authorization: Bearer …`) and a 30-day single-use ' +
      'refresh token. Once TOTP is enabled, `totpCode` (or a one-time `recoveryCode`) is required: without ' +
      'it the answer is 401 with `details: { totpRequired: true }`. Failed sign-ins are limited: after 10 ' +
      'failures for an account, or 50 from one client address, within 15 minutes, the answer is 429 ' +
      '`RATE_LIMITED` even for the right password.',
  })
  @ApiOkResponse({ type: TokenPairDto })
  @ApiUnauthorizedResponse({
    description: 'Wrong e-mail or password (one message for both), or a missing or wrong code',
  })
  @ApiTooManyRequestsResponse({
    description: 'Too many failed sign-ins for the account or the address',
  })
  login(@Body() body: LoginDto, @Req() req: Request): Promise<TokenPairDto> {
    return this.auth.login(body, clientOf(req));
  }

  @Post('refresh')
  @Public()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Exchange a refresh token for a new token pair',
    description:
      'The presented refresh token dies. Presenting an already-used refresh token revokes the whole ' +
      'session (every refresh token of it and the access tokens naming it) and answers 401.',
  })
  @ApiOkResponse({ type: TokenPairDto })
  @ApiUnauthorizedResponse({
    description: 'Unknown, expired, revoked or already-used refresh token',
  })
  refresh(@Body() body: RefreshDto): Promise<TokenPairDto> {
    return this.auth.refresh(body.refreshToken);
  }

  @Post('logout')
  @Authenticated()
  @HttpCode(204)
  @ApiOperation({ summary: "End the caller's session: its access and refresh tokens stop working" })
  @ApiNoContentResponse({ description: 'Signed out' })
  @ApiForbiddenResponse({
    description: 'Called with an API key (keys have no session; revoke the key instead)',
  })
  async logout(@CurrentPrincipal() principal: Principal): Promise<void> {
    await this.auth.logout(principal);
  }

  @Post('password-reset')
  @Public()
  @HttpCode(202)
  @ApiOperation({
    summary: 'Ask for a password-reset link by e-mail',
    description:
      'Always 202, whether or not the address has an account. For an active account, a link valid for ' +
      'one hour is e-mailed: `<PUBLIC_BASE_URL>/app/reset-password?token=…`.',
  })
  @ApiAcceptedResponse({
    description: 'Accepted; a link is sent if the address has an active account',
  })
  async requestPasswordReset(@Body() body: PasswordResetRequestDto): Promise<void> {
    await this.resets.request(body.email);
  }

  @Post('password-reset/confirm')
  @Public()
  @HttpCode(204)
  @ApiOperation({
    summary: 'Set a new password with the token from the e-mailed link',
    description: 'The token works once. Every session of the account is ended.',
  })
  @ApiNoContentResponse({ description: 'Password changed' })
  @ApiBadRequestResponse({
    description:
      '`BAD_REQUEST` "Invalid or expired reset token" (unknown, used or expired), or `VALIDATION_FAILED` when ' +
      'the new password is too weak (12 to 200 characters, zxcvbn score ≥ 3)',
  })
  async confirmPasswordReset(@Body() body: PasswordResetConfirmDto): Promise<void> {
    await this.resets.confirm(body.token, body.password);
  }

  @Post('totp/setup')
  @Authenticated()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Start TOTP enrolment',
    description:
      'Returns a new secret (also as an otpauth URL and a QR code). TOTP is required at sign-in only once ' +
      '`POST /auth/totp/enable` confirms a first code. Calling it again before enabling replaces the secret.',
  })
  @ApiOkResponse({ type: TotpSetupDto })
  @ApiForbiddenResponse({ description: 'Called with an API key' })
  @ApiConflictResponse({ description: 'TOTP is already enabled' })
  setupTotp(@CurrentPrincipal() principal: Principal): Promise<TotpSetupDto> {
    return this.totp.setup(principal);
  }

  @Post('totp/enable')
  @Authenticated()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Confirm TOTP enrolment with a first code',
    description: 'Returns ten one-time recovery codes, shown only in this answer.',
  })
  @ApiOkResponse({ type: RecoveryCodesDto })
  @ApiForbiddenResponse({ description: 'Called with an API key' })
  @ApiConflictResponse({ description: 'Already enabled, or no enrolment started' })
  @ApiUnprocessableEntityResponse({ description: 'The code does not match' })
  enableTotp(
    @CurrentPrincipal() principal: Principal,
    @Body() body: TotpCodeDto,
  ): Promise<RecoveryCodesDto> {
    return this.totp.enable(principal, body.code);
  }

  @Post('totp/disable')
  @Authenticated()
  @HttpCode(204)
  @ApiOperation({
    summary: 'Turn TOTP off (password and a current code required)',
    description:
      'Refused (403) for secretariat and admin accounts: once enrolled, they keep TOTP. Wrong proofs count ' +
      'as failed sign-ins, with the same limits (429).',
  })
  @ApiNoContentResponse({ description: 'TOTP disabled; recovery codes deleted' })
  @ApiForbiddenResponse({ description: 'Secretariat or admin account, or called with an API key' })
  @ApiConflictResponse({ description: 'TOTP is not enabled' })
  @ApiUnprocessableEntityResponse({ description: 'Wrong password or code' })
  @ApiTooManyRequestsResponse({ description: 'Too many failed attempts' })
  async disableTotp(
    @CurrentPrincipal() principal: Principal,
    @Body() body: TotpDisableDto,
    @Req() req: Request,
  ): Promise<void> {
    await this.totp.disable(principal, body, clientOf(req));
  }
}
