import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, Matches, MaxLength } from 'class-validator';

export class TotpSetupDto {
  @ApiProperty({ description: 'Base32 secret, for typing into an authenticator app' })
  secret: string;

  @ApiProperty({
    example: 'otpauth://totp/SALW%20Assistance%20Platform:user%40example.org?secret=…',
  })
  otpauthUrl: string;

  @ApiProperty({ description: 'The otpauth URL as a PNG QR code (data: URL)' })
  qrCodeDataUrl: string;
}

export class TotpCodeDto {
  @ApiProperty({
    description: 'Current six-digit code from the authenticator app',
    example: '123456',
  })
  @IsString()
  @Matches(/^\d{6}$/, { message: 'code must be six digits' })
  code: string;
}

export class TotpDisableDto {
  @ApiProperty({ format: 'password', maxLength: 1000 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(1000)
  password: string;

  @ApiProperty({
    description: 'Current six-digit code from the authenticator app',
    example: '123456',
  })
  @IsString()
  @Matches(/^\d{6}$/, { message: 'code must be six digits' })
  code: string;
}

export class RecoveryCodesDto {
  @ApiProperty({
    type: [String],
    description: 'Ten one-time codes, shown only now; each can replace `totpCode` at login once',
    example: ['k7qm-x2tz-9hcw-ra4n'],
  })
  recoveryCodes: string[];
}
