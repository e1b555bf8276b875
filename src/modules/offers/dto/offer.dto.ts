import { ApiProperty, ApiPropertyOptional, OmitType, PartialType } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsNumber,
  IsOptional,
  IsPositive,
  IsString,
  IsUUID,
  Length,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { IsIsoCurrency } from '../../../common/is-currency.validator';
import { PageQuery } from '../../../common/pagination';
import { IsCalendarDate } from '../../exchange-rates/calendar-date';
import { UN_LANGUAGES } from '../../reference/country.entity';
import { OFFER_STATUSES, OfferStatus } from '../offer-lifecycle';
import { OFFER_MODALITIES, OfferModality } from '../offer.entity';

/** Amounts: positive, cents at most, below a trillion (anything above is a typing error). */
export const MAX_AMOUNT = 1e12;

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
const amount = () => IsNumber({ allowNaN: false, allowInfinity: false, maxDecimalPlaces: 2 });

const codeList = (description: string, example: string[]) =>
  ApiPropertyOptional({ type: [String], description, example, default: [], maxItems: 300 });

export class EligibilityDto {
  @codeList('M49 regions, sub-regions or intermediate regions, by English name or code', [
    'Western Africa',
  ])
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(300)
  @IsString({ each: true })
  @MaxLength(100, { each: true })
  regions?: string[];

  @codeList('UN regional groups, by code (AFRICAN, APG, EEG, GRULAC, WEOG)', ['AFRICAN'])
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(300)
  @IsString({ each: true })
  @MaxLength(100, { each: true })
  groups?: string[];

  @codeList('Countries by ISO alpha-2, alpha-3, M49 code or English name', ['SLE'])
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(300)
  @IsString({ each: true })
  @MaxLength(100, { each: true })
  countries?: string[];

  @codeList('Countries never eligible (same forms as countries)', ['LBR'])
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(300)
  @IsString({ each: true })
  @MaxLength(100, { each: true })
  excludeCountries?: string[];
}

export class BudgetDto {
  @ApiProperty({ example: 500000, exclusiveMinimum: true, minimum: 0, maximum: MAX_AMOUNT })
  @amount()
  @IsPositive()
  @Max(MAX_AMOUNT)
  total: number;

  @ApiProperty({ example: 'EUR', description: 'ISO 4217 code' })
  @IsIsoCurrency()
  currency: string;

  @ApiPropertyOptional({ example: 20000, description: 'At most maxPerProject and total' })
  @IsOptional()
  @amount()
  @IsPositive()
  @Max(MAX_AMOUNT)
  minPerProject?: number;

  @ApiPropertyOptional({ example: 150000, description: 'At least minPerProject, at most total' })
  @IsOptional()
  @amount()
  @IsPositive()
  @Max(MAX_AMOUNT)
  maxPerProject?: number;
}

export class CreateOfferDto {
  @ApiProperty({ example: 'Marking machines and training for West Africa', maxLength: 200 })
  @Transform(trim)
  @IsString()
  @Length(3, 200)
  title: string;

  @ApiProperty({ maxLength: 10000 })
  @IsString()
  @Length(1, 10000)
  description: string;

  @ApiProperty({
    type: [String],
    example: ['05.30', '05.31'],
    description: 'MOSAIC module or series codes, or platform areas (AMMO, BRK, REP)',
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @ArrayUnique()
  @IsString({ each: true })
  @MaxLength(20, { each: true })
  controlAreas: string[];

  @ApiProperty({ type: [String], example: ['equipment', 'training'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  @ArrayUnique()
  @IsString({ each: true })
  @MaxLength(40, { each: true })
  assistanceTypes: string[];

  @ApiPropertyOptional({
    type: EligibilityDto,
    description: 'Regions, groups and countries all empty (the default) means every State',
  })
  @IsOptional()
  @ValidateNested()
  @Type(() => EligibilityDto)
  eligibility?: EligibilityDto;

  @ApiProperty({ type: BudgetDto })
  @ValidateNested()
  @Type(() => BudgetDto)
  budget: BudgetDto;

  @ApiProperty({ example: '2025-01-01', format: 'date' })
  @IsCalendarDate()
  startDate: string;

  @ApiProperty({ example: '2026-12-31', format: 'date', description: 'Not before startDate' })
  @IsCalendarDate()
  endDate: string;

  @ApiProperty({ enum: UN_LANGUAGES, isArray: true, example: ['en', 'fr'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayUnique()
  @IsIn(UN_LANGUAGES, { each: true })
  languages: string[];

  @ApiProperty({ enum: OFFER_MODALITIES })
  @IsIn(OFFER_MODALITIES)
  modality: OfferModality;

  @ApiPropertyOptional({ maxLength: 5000, nullable: true, type: String })
  @IsOptional()
  @IsString()
  @MaxLength(5000)
  conditions?: string | null;

  @ApiPropertyOptional({
    format: 'uuid',
    description:
      'The offering party; the secretariat may name another party, others only their own',
  })
  @IsOptional()
  @IsUUID()
  partyId?: string;
}

/** Every field optional; arrays and the nested eligibility and budget objects replace as a whole. */
export class UpdateOfferDto extends PartialType(OmitType(CreateOfferDto, ['partyId'] as const)) {}

export const OFFER_SORTS = ['date', 'cost', 'relevance'] as const;

export class OfferQueryDto extends PageQuery {
  @ApiPropertyOptional({ enum: OFFER_STATUSES })
  @IsOptional()
  @IsIn(OFFER_STATUSES)
  status?: OfferStatus;

  @ApiPropertyOptional({
    example: '05.30',
    description: 'Module or series; a series matches its modules and a module matches its series',
  })
  @IsOptional()
  @IsString()
  @MaxLength(20)
  controlArea?: string;

  @ApiPropertyOptional({ example: 'training' })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  assistanceType?: string;

  @ApiPropertyOptional({ example: 'SLE', description: 'Offers for which this State is eligible' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  state?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'The offering party' })
  @IsOptional()
  @IsUUID()
  partyId?: string;

  @ApiPropertyOptional({ format: 'date', description: 'Window overlap: ends on or after' })
  @IsOptional()
  @IsCalendarDate()
  from?: string;

  @ApiPropertyOptional({ format: 'date', description: 'Window overlap: starts on or before' })
  @IsOptional()
  @IsCalendarDate()
  to?: string;

  @ApiPropertyOptional({
    example: 'marking',
    description:
      'Full-text search over title and description (English stemming plus exact words), with trigram similarity on the title for short or misspelt words',
  })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;

  @ApiPropertyOptional({
    example: 'Western Africa',
    description:
      'Offers open to at least one State of this M49 region, sub-region or intermediate region (name or code)',
  })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  region?: string;

  @ApiPropertyOptional({
    example: 'AFRICAN',
    description: 'Offers open to at least one State of this UN regional group',
  })
  @IsOptional()
  @IsString()
  @MaxLength(20)
  group?: string;

  @ApiPropertyOptional({ description: 'Minimum budget total in USD' })
  @IsOptional()
  @Type(() => Number)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  minCost?: number;

  @ApiPropertyOptional({ description: 'Maximum budget total in USD' })
  @IsOptional()
  @Type(() => Number)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  maxCost?: number;

  @ApiPropertyOptional({
    enum: OFFER_SORTS,
    default: 'date',
    description:
      'date: newest first; cost: highest USD budget first; relevance: best match first (needs q)',
  })
  @IsOptional()
  @IsIn(OFFER_SORTS)
  sort?: (typeof OFFER_SORTS)[number];
}

export class EligibilityViewDto {
  @ApiProperty({ type: [String], description: 'M49 codes', example: ['011'] }) regions: string[];
  @ApiProperty({ type: [String], example: ['AFRICAN'] }) groups: string[];
  @ApiProperty({ type: [String], description: 'ISO alpha-3', example: ['SLE'] })
  countries: string[];
  @ApiProperty({ type: [String], description: 'ISO alpha-3', example: ['LBR'] })
  excludeCountries: string[];
}

export class BudgetViewDto {
  @ApiProperty({ example: 500000 }) total: number;
  @ApiProperty({ example: 'EUR' }) currency: string;
  @ApiProperty({ nullable: true, type: Number }) minPerProject: number | null;
  @ApiProperty({ nullable: true, type: Number }) maxPerProject: number | null;
}

export class OfferDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) partyId: string;
  @ApiProperty() title: string;
  @ApiProperty() description: string;
  @ApiProperty({ type: [String] }) controlAreas: string[];
  @ApiProperty({ type: [String] }) assistanceTypes: string[];
  @ApiProperty({ type: EligibilityViewDto }) eligibility: EligibilityViewDto;
  @ApiProperty({ type: BudgetViewDto }) budget: BudgetViewDto;
  @ApiProperty({ description: 'Budget total in USD at the rate of rateDate' }) totalUsd: number;
  @ApiProperty({ format: 'date', description: 'Date of the exchange rate used' })
  rateDate: string;
  @ApiProperty({ description: 'Derived from commitments' }) committedUsd: number;
  @ApiProperty({ description: 'totalUsd − committedUsd' }) remainingUsd: number;
  @ApiProperty({ format: 'date' }) startDate: string;
  @ApiProperty({ format: 'date' }) endDate: string;
  @ApiProperty({ enum: UN_LANGUAGES, isArray: true }) languages: string[];
  @ApiProperty({ enum: OFFER_MODALITIES }) modality: OfferModality;
  @ApiProperty({ nullable: true, type: String }) conditions: string | null;
  @ApiProperty({ enum: OFFER_STATUSES }) status: OfferStatus;
  @ApiProperty({ description: 'Also sent as the ETag' }) version: number;
  @ApiProperty({ format: 'date-time' }) createdAt: Date;
  @ApiProperty({ format: 'date-time' }) updatedAt: Date;
}

export class OfferPageDto {
  @ApiProperty({ type: [OfferDto] }) items: OfferDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}
