import { Body, Get, Post, Query, Req, Res } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Response } from 'express';
import QRCode from 'qrcode';
import { DataSource } from 'typeorm';
import { Authenticated, Public } from '../../common/access/access.decorators';
import { CurrentPrincipal } from '../../common/access/current-principal.decorator';
import { hasRole, Principal } from '../../common/access/roles';
import { AppException, FieldProblem } from '../../common/errors';
import { PasswordResetConfirmDto, PasswordResetRequestDto } from '../auth/dto/password-reset.dto';
import { TotpCodeDto, TotpDisableDto } from '../auth/dto/totp.dto';
import { PasswordResetService } from '../auth/password-reset.service';
import { TotpService } from '../auth/totp.service';
import { ConsoleController } from './console-controller.decorator';
import { ConsolePages, PageRequest } from './console-pages.service';
import { FormBody, formErrors, FormErrors, text, validated } from './forms';

/** As TotpService decides it: these roles keep two-step sign-in once enrolled. */
const TOTP_MANDATORY_ROLES = ['secretariat', 'admin'] as const;

/** A password field's value as typed (never trimmed: spaces may be part of it). */
const secret = (body: FormBody, name: string) =>
  typeof body[name] === 'string' ? (body[name] as string) : '';

/** The otpauth URI as an inline SVG QR code (no image request, no external resource). */
export async function qrSvg(uri: string): Promise<string> {
  const svg = await QRCode.toString(uri, { type: 'svg', margin: 2, width: 192 });
  return svg.replace('<svg ', '<svg aria-hidden="true" focusable="false" ');
}

/**
 * The signed-in user's account (two-step sign-in with an authenticator app) and the public
 * forgot/reset password pages — through the auth module's own TotpService and
 * PasswordResetService, so limits, audit entries and messages are the API's.
 */
@ConsoleController()
export class ConsoleAccountController {
  constructor(
    private readonly pages: ConsolePages,
    private readonly totp: TotpService,
    private readonly resets: PasswordResetService,
    @InjectDataSource() private readonly db: DataSource,
  ) {}

  @Get('account')
  @Authenticated()
  async account(
    @CurrentPrincipal() principal: Principal,
    @Req() req: PageRequest,
    @Res() res: Response,
    @Query('done') done?: string,
  ) {
    await this.renderAccount(req, res, principal, {
      done: done === 'totpDisabled' ? done : null,
    });
  }

  /** Starts (or restarts) enrolment: shows the new secret once, with the form to confirm it. */
  @Post('account/totp/setup')
  @Authenticated()
  async setupTotp(
    @CurrentPrincipal() principal: Principal,
    @Req() req: PageRequest,
    @Res() res: Response,
  ) {
    const setup = await this.totp.setup(principal);
    await this.pages.send(req, res, 'account/totp-setup', {
      secret: setup.secret,
      otpauthUrl: setup.otpauthUrl,
      qr: await qrSvg(setup.otpauthUrl),
      values: {},
      errors: null,
    });
  }

  /** Confirms enrolment with a first code; the recovery codes are shown on this answer only. */
  @Post('account/totp/enable')
  @Authenticated()
  async enableTotp(
    @CurrentPrincipal() principal: Principal,
    @Req() req: PageRequest,
    @Res() res: Response,
    @Body() body: FormBody,
  ) {
    const values = { code: text(body, 'code').replace(/\s+/g, '') };
    try {
      const dto = await validated(TotpCodeDto, values);
      const { recoveryCodes } = await this.totp.enable(principal, dto.code);
      await this.pages.send(req, res, 'account/totp-enabled', { recoveryCodes });
    } catch (error) {
      await this.renderTotpErrors(req, res, principal, error, 'enable', ['code'], values);
    }
  }

  /** Turns TOTP off with the password and a current code (refused for secretariat and admin). */
  @Post('account/totp/disable')
  @Authenticated()
  async disableTotp(
    @CurrentPrincipal() principal: Principal,
    @Req() req: PageRequest,
    @Res() res: Response,
    @Body() body: FormBody,
  ) {
    const values = { code: text(body, 'code').replace(/\s+/g, '') };
    try {
      const dto = await validated(TotpDisableDto, {
        password: secret(body, 'password'),
        ...values,
      });
      await this.totp.disable(principal, dto, { ip: req.ip, userAgent: req.header('user-agent') });
      res.redirect(303, '/app/account?done=totpDisabled');
    } catch (error) {
      const fields = ['password', 'code'];
      await this.renderTotpErrors(req, res, principal, error, 'disable', fields, values);
    }
  }

  @Get('forgot-password')
  @Public()
  async forgotForm(@Req() req: PageRequest, @Res() res: Response, @Query('sent') sent?: string) {
    await this.pages.send(req, res, 'account/forgot', {
      sent: sent === '1',
      values: {},
      errors: null,
    });
  }

  /** The same neutral answer whether or not the address has an account (as the API's 202). */
  @Post('forgot-password')
  @Public()
  async forgot(@Req() req: PageRequest, @Res() res: Response, @Body() body: FormBody) {
    const values = { email: text(body, 'email') };
    try {
      const dto = await validated(PasswordResetRequestDto, values);
      await this.resets.request(dto.email);
      res.redirect(303, '/app/forgot-password?sent=1');
    } catch (error) {
      const errors = formErrors(error, ['email']);
      if (!errors) throw error;
      await this.pages.send(req, res, 'account/forgot', { sent: false, values, errors }, 400);
    }
  }

  @Get('reset-password')
  @Public()
  async resetForm(@Req() req: PageRequest, @Res() res: Response, @Query('token') token?: string) {
    const value = typeof token === 'string' ? token.trim() : '';
    await this.pages.send(req, res, 'account/reset', {
      token: value,
      invalid: !value,
      values: {},
      errors: null,
    });
  }

  /** Sets the new password with the e-mailed token; then to sign-in (every session has ended). */
  @Post('reset-password')
  @Public()
  async reset(@Req() req: PageRequest, @Res() res: Response, @Body() body: FormBody) {
    const token = text(body, 'token');
    const password = secret(body, 'password');
    const problems: FieldProblem[] = [];
    try {
      const dto = await validated(PasswordResetConfirmDto, { token, password });
      if (password !== secret(body, 'passwordConfirm')) {
        const t = this.pages.views.t((await this.pages.context(req, res)).lang);
        problems.push({ field: 'passwordConfirm', messages: [t('reset.mismatch')] });
        throw new AppException('VALIDATION_FAILED', 'The passwords differ', problems);
      }
      await this.resets.confirm(dto.token, dto.password);
      res.redirect(303, '/app/login?done=passwordReset');
    } catch (error) {
      const errors = formErrors(error, ['password', 'passwordConfirm']);
      if (!errors) throw error;
      // A bad, used or expired token is not about a field: the page says so and offers a new link.
      const invalid =
        error instanceof AppException &&
        (error.code === 'BAD_REQUEST' ||
          (error.code === 'VALIDATION_FAILED' &&
            !errors.fields.password &&
            !errors.fields.passwordConfirm));
      await this.pages.send(
        req,
        res,
        'account/reset',
        { token, invalid, values: {}, errors: invalid ? null : errors },
        400,
      );
    }
  }

  /** The account page again, a TOTP form's errors next to its fields (other errors go up). */
  private async renderTotpErrors(
    req: PageRequest,
    res: Response,
    principal: Principal,
    error: unknown,
    form: 'enable' | 'disable',
    fields: string[],
    values: Record<string, string>,
  ) {
    const errors = formErrors(error, fields);
    if (!errors || (error as AppException).code === 'CONFLICT') throw error;
    await this.renderAccount(
      req,
      res,
      principal,
      form === 'enable'
        ? { enableValues: values, enableErrors: errors }
        : { disableValues: values, disableErrors: errors },
      (error as AppException).status,
    );
  }

  private async renderAccount(
    req: PageRequest,
    res: Response,
    principal: Principal,
    extra: {
      done?: string | null;
      enableValues?: Record<string, string>;
      enableErrors?: FormErrors;
      disableValues?: Record<string, string>;
      disableErrors?: FormErrors;
    },
    status = 200,
  ) {
    const userId = principal.userId;
    if (!userId) throw new AppException('FORBIDDEN', 'An account page belongs to a user');
    const [row] = (await this.db.query(
      `SELECT u.name, u.email, u.roles, u.totp_enabled_at,
              (u.totp_enabled_at IS NULL AND u.totp_secret_encrypted IS NOT NULL) AS pending,
              p.name AS party_name,
              (SELECT count(*)::int FROM totp_recovery_code c
                WHERE c.user_id = u.id AND c.used_at IS NULL) AS recovery_left
         FROM app_user u JOIN party p ON p.id = u.party_id WHERE u.id = $1`,
      [userId],
    )) as {
      name: string;
      email: string;
      roles: string[];
      totp_enabled_at: Date | null;
      pending: boolean;
      party_name: string;
      recovery_left: number;
    }[];
    if (!row) throw AppException.notFound('User');
    await this.pages.send(
      req,
      res,
      'account/show',
      {
        account: row,
        mandatory: hasRole({ ...principal, roles: row.roles as never }, ...TOTP_MANDATORY_ROLES),
        done: extra.done ?? null,
        enableValues: extra.enableValues ?? {},
        enableErrors: extra.enableErrors ?? null,
        disableValues: extra.disableValues ?? {},
        disableErrors: extra.disableErrors ?? null,
      },
      status,
    );
  }
}
