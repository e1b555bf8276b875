import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  IsNumber,
  IsOptional,
  IsString,
  Length,
  Matches,
  MaxLength,
  ValidateBy,
} from 'class-validator';
import { PageQuery } from '../../../common/pagination';
import { IsCalendarDate } from '../calendar-date';
import { MAX_USD_PER_UNIT, rateNumberProblem } from '../rate-values';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class PutExchangeRateDto {
  @ApiProperty({
    example: 1.0842,
    description: 'US dollars per unit of the currency; > 0 and < 1e9, up to 10 decimals',
    exclusiveMinimum: true,
    minimum: 0,
    maximum: MAX_USD_PER_UNIT,
  })
  @IsNumber({ allowNaN: false, allowInfinity: false, maxDecimalPlaces: 10 })
  @ValidateBy({
    name: 'isUsdRate',
    validator: {
      validate: (value: unknown) => typeof value === 'number' && !rateNumberProblem(value),
      defaultMessage: () => 'usdPerUnit must be greater than 0 and less than 1000000000',
    },
  })
  usdPerUnit: number;

  @ApiPropertyOptional({ example: 'UN operational rates of exchange', maxLength: 200 })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @Length(1, 200)
  source?: string;
}

export class ExchangeRateQueryDto extends PageQuery {
  @ApiPropertyOptional({ example: 'EUR', description: 'ISO 4217 code' })
  @IsOptional()
  @Matches(/^[A-Za-z]{3}$/, { message: 'currency must be an ISO 4217 currency code' })
  @MaxLength(3)
  currency?: string;

  @ApiPropertyOptional({ example: '2024-01-01', description: 'Rates dated on or after' })
  @IsOptional()
  @IsCalendarDate()
  from?: string;

  @ApiPropertyOptional({ example: '2024-12-31', description: 'Rates dated on or before' })
  @IsOptional()
  @IsCalendarDate()
  to?: string;
}

export class ExchangeRateDto {
  @ApiProperty({ example: 'EUR' }) currency: string;
  @ApiProperty({ example: '2024-01-01', format: 'date', description: 'Valid from this date' })
  date: string;
  @ApiProperty({ example: 1.0842, description: 'US dollars per unit' }) usdPerUnit: number;
  @ApiProperty({ nullable: true, type: String }) source: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: Date;
  @ApiProperty({ nullable: true, type: String, format: 'uuid', description: 'User who set it' })
  createdBy: string | null;
}

export class ExchangeRatePageDto {
  @ApiProperty({ type: [ExchangeRateDto] }) items: ExchangeRateDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}
