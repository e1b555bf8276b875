import { createSecretKey } from 'node:crypto';
import { Global, Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Authenticator } from '../../common/access/authenticator';
import { AppConfig } from '../../config/app-config';
import { User } from '../users/user.entity';
import { ApiKey } from './api-key.entity';
import { ApiKeysController } from './api-keys.controller';
import { ApiKeysService } from './api-keys.service';
import { ACCESS_TOKEN_TTL_SECONDS, JWT_AUDIENCE, JWT_ISSUER } from './auth.constants';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { AuthSession } from './auth-session.entity';
import { LoginAttempt } from './login-attempt.entity';
import { LoginAttemptsService } from './login-attempts.service';
import { PasswordResetToken } from './password-reset-token.entity';
import { EmailRenderer } from '../email/email-renderer';
import { PasswordResetService } from './password-reset.service';
import { PasswordService } from './password.service';
import { RefreshToken } from './refresh-token.entity';
import { TokenAuthenticator } from './token-authenticator';
import { TotpRecoveryCode } from './totp-recovery-code.entity';
import { TotpService } from './totp.service';

/**
 * Sign-in, sessions, password reset, TOTP and API keys. Global: it provides the Authenticator
 * that the access guard uses and the PasswordService that user management uses.
 */
@Global()
@Module({
  imports: [
    TypeOrmModule.forFeature([
      AuthSession,
      RefreshToken,
      LoginAttempt,
      PasswordResetToken,
      TotpRecoveryCode,
      ApiKey,
      User,
    ]),
    JwtModule.registerAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => {
        // A KeyObject, not the string: given a string, jsonwebtoken first tries to parse it as
        // a public key and builds an exception per request, a quarter of the API's CPU.
        const key = createSecretKey(Buffer.from(config.env.JWT_SECRET, 'utf8'));
        return {
          secretOrKeyProvider: () => key,
          signOptions: {
            algorithm: 'HS256',
            expiresIn: ACCESS_TOKEN_TTL_SECONDS,
            issuer: JWT_ISSUER,
            audience: JWT_AUDIENCE,
          },
          verifyOptions: { algorithms: ['HS256'], issuer: JWT_ISSUER, audience: JWT_AUDIENCE },
        };
      },
    }),
  ],
  controllers: [AuthController, ApiKeysController],
  providers: [
    PasswordService,
    LoginAttemptsService,
    TotpService,
    AuthService,
    PasswordResetService,
    ApiKeysService,
    { provide: Authenticator, useClass: TokenAuthenticator },
    // Rendering only (the e-mail module, with its sender, runs in the worker).
    { provide: EmailRenderer, useFactory: () => new EmailRenderer() },
  ],
  exports: [Authenticator, PasswordService, AuthService, TotpService, PasswordResetService],
})
export class AuthModule {}
