import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsNotEmpty, IsOptional, IsString, Matches, MaxLength } from 'class-validator';

export class LoginDto {
  @ApiProperty({ example: 'focal.point@example.org', maxLength: 320 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(320)
  email: string;

  @ApiProperty({ format: 'password', maxLength: 1000 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(1000)
  password: string;

  @ApiPropertyOptional({
    description: 'Six-digit code from the authenticator app; required once TOTP is enabled',
    example: '123456',
    pattern: '^\\d{6}$',
  })
  @IsOptional()
  @IsString()
  @Matches(/^\d{6}$/, { message: 'totpCode must be six digits' })
  totpCode?: string;

  @ApiPropertyOptional({
    description: 'A one-time recovery code, instead of `totpCode`',
    example: 'k7qm-x2tz-9hcw-ra4n',
    maxLength: 40,
  })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  recoveryCode?: string;
}

export class RefreshDto {
  @ApiProperty({ description: 'The refresh token from the last login or refresh', maxLength: 200 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  refreshToken: string;
}

export class TokenPairDto {
  @ApiProperty({ description: 'JWT (HS256) to send as `Authorization: Bearer …`' })
  accessToken: string;

  @ApiProperty({ description: 'Single-use token for `POST /auth/refresh`; valid 30 days' })
  refreshToken: string;

  @ApiProperty({ description: 'Lifetime of the access token in seconds', example: 900 })
  expiresIn: number;
}
