import { ApiProperty, ApiPropertyOptional, OmitType, PartialType } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsNumber,
  IsObject,
  IsOptional,
  IsPositive,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { IsIsoCurrency } from '../../../common/is-currency.validator';
import { PageQuery } from '../../../common/pagination';
import { IsCalendarDate } from '../../exchange-rates/calendar-date';
import { IsNotAfter, trimString } from '../../plans/reference-checks';
import { UN_LANGUAGES, UnLanguage } from '../../reference/country.entity';
import { NEED_PRIORITIES, NeedPriority } from '../need.entity';
import { NEED_STATUSES, NeedStatus } from '../need-lifecycle';
import { NEED_VISIBILITY_TIERS, NeedVisibility } from '../need-visibility';

export const MAX_AMOUNT = 1e12;

export class MoneyDto {
  @ApiProperty({ example: 250000, exclusiveMinimum: true, minimum: 0, maximum: MAX_AMOUNT })
  @IsNumber({ allowNaN: false, allowInfinity: false, maxDecimalPlaces: 2 })
  @IsPositive()
  @Max(MAX_AMOUNT)
  amount: number;

  @ApiProperty({ example: 'EUR', description: 'ISO 4217 code' })
  @IsIsoCurrency()
  currency: string;
}

export class CreateNeedDto {
  @ApiProperty({ maxLength: 200, example: 'Marking machines for the national police armoury' })
  @Transform(trimString)
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  title: string;

  @ApiProperty({ maxLength: 10000 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(10000)
  description: string;

  @ApiProperty({ enum: UN_LANGUAGES, description: 'Language the text is written in' })
  @IsIn(UN_LANGUAGES)
  language: UnLanguage;

  @ApiProperty({
    type: [String],
    example: ['05.30', 'AMMO'],
    description: 'MOSAIC module or series codes, or platform areas (AMMO, BRK, REP)',
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @MaxLength(16, { each: true })
  controlAreas: string[];

  @ApiProperty({ type: [String], example: ['equipment', 'training'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @MaxLength(32, { each: true })
  assistanceTypes: string[];

  @ApiProperty({ type: [String], example: ['PoA', 'ITI'] })
  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @MaxLength(16, { each: true })
  frameworks: string[];

  @ApiProperty({ enum: NEED_PRIORITIES })
  @IsIn(NEED_PRIORITIES)
  priority: NeedPriority;

  @ApiPropertyOptional({ minimum: 1, maximum: 10000, description: "Rank among the State's needs" })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10000)
  rank?: number | null;

  @ApiProperty({ type: MoneyDto })
  @IsObject()
  @ValidateNested()
  @Type(() => MoneyDto)
  estimatedCost: MoneyDto;

  @ApiPropertyOptional({ format: 'date', example: '2026-01-01' })
  @IsOptional()
  @IsCalendarDate()
  @IsNotAfter('neededBy', { message: 'earliestStart must not be after neededBy' })
  earliestStart?: string | null;

  @ApiProperty({ format: 'date', example: '2026-12-31' })
  @IsCalendarDate()
  neededBy: string;

  @ApiProperty({
    enum: NEED_VISIBILITY_TIERS,
    description:
      'Who may read the need once published: everyone signed in, donors, or the secretariat',
  })
  @IsIn(NEED_VISIBILITY_TIERS)
  visibility: NeedVisibility;

  @ApiPropertyOptional({ format: 'uuid', description: "An item of the same State's plan" })
  @IsOptional()
  @IsUUID()
  planItemId?: string | null;

  @ApiPropertyOptional({ maxLength: 300 })
  @IsOptional()
  @Transform(trimString)
  @IsString()
  @MaxLength(300)
  location?: string | null;

  @ApiPropertyOptional({ maxLength: 300 })
  @IsOptional()
  @Transform(trimString)
  @IsString()
  @MaxLength(300)
  implementer?: string | null;

  @ApiPropertyOptional({
    format: 'uuid',
    description: 'Secretariat only: the State party on whose behalf the need is filed',
  })
  @IsOptional()
  @IsUUID()
  partyId?: string;
}

/** Absent fields stay as they are; arrays given replace the stored ones. */
export class UpdateNeedDto extends PartialType(OmitType(CreateNeedDto, ['partyId'] as const)) {}

/** Fields a PATCH may not set to null. */
export const NON_NULLABLE_NEED_FIELDS = [
  'title',
  'description',
  'language',
  'controlAreas',
  'assistanceTypes',
  'frameworks',
  'priority',
  'estimatedCost',
  'neededBy',
  'visibility',
] as const;

export class ReturnNeedDto {
  @ApiProperty({ maxLength: 2000, description: 'Why the need goes back to the State' })
  @Transform(trimString)
  @IsString()
  @IsNotEmpty()
  @MaxLength(2000)
  note: string;
}

/** `date` (newest first, the default), `priority`, `cost` (USD), `relevance` (with `q`); `createdAt` is oldest first. */
export const NEED_SORTS = [
  'date',
  'priority',
  'cost',
  'relevance',
  '-createdAt',
  'createdAt',
] as const;

export class NeedQueryDto extends PageQuery {
  @ApiPropertyOptional({ example: 'SLE', description: 'Requesting State, ISO alpha-3' })
  @IsOptional()
  @Matches(/^[A-Za-z]{3}$/, { message: 'state must be an ISO alpha-3 code' })
  state?: string;

  @ApiPropertyOptional({
    example: 'Western Africa',
    description: 'M49 region, sub-region or intermediate region of the State (name or code)',
  })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  region?: string;

  @ApiPropertyOptional({ example: 'AFRICAN', description: 'UN regional group of the State' })
  @IsOptional()
  @IsString()
  @MaxLength(20)
  group?: string;

  @ApiPropertyOptional({
    example: 'marquage',
    description:
      'Full-text search over title and description in the six UN languages (stemmed per language), with trigram similarity on the title for short or misspelt words',
  })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  q?: string;

  @ApiPropertyOptional({ enum: NEED_STATUSES })
  @IsOptional()
  @IsIn(NEED_STATUSES)
  status?: NeedStatus;

  @ApiPropertyOptional({
    example: '05',
    description: 'Module or series code (a series matches its modules)',
  })
  @IsOptional()
  @IsString()
  @MaxLength(16)
  controlArea?: string;

  @ApiPropertyOptional({ example: 'equipment' })
  @IsOptional()
  @IsString()
  @MaxLength(32)
  assistanceType?: string;

  @ApiPropertyOptional({ example: 'ITI' })
  @IsOptional()
  @IsString()
  @MaxLength(16)
  framework?: string;

  @ApiPropertyOptional({ enum: NEED_PRIORITIES })
  @IsOptional()
  @IsIn(NEED_PRIORITIES)
  priority?: NeedPriority;

  @ApiPropertyOptional({ description: 'Minimum estimated cost in USD' })
  @IsOptional()
  @Type(() => Number)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  minCost?: number;

  @ApiPropertyOptional({ description: 'Maximum estimated cost in USD' })
  @IsOptional()
  @Type(() => Number)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  maxCost?: number;

  @ApiPropertyOptional({ format: 'date', description: 'Window overlap: needed on or after' })
  @IsOptional()
  @IsCalendarDate()
  @IsNotAfter('to', { message: 'from must not be after to' })
  from?: string;

  @ApiPropertyOptional({ format: 'date', description: 'Window overlap: starting on or before' })
  @IsOptional()
  @IsCalendarDate()
  to?: string;

  @ApiPropertyOptional({
    enum: NEED_SORTS,
    default: 'date',
    description:
      'date: newest first; priority: high first, then newest; cost: highest USD first; relevance: best match first (needs q); createdAt: oldest first',
  })
  @IsOptional()
  @IsIn(NEED_SORTS)
  sort?: (typeof NEED_SORTS)[number];
}

export class MoneyAmountDto {
  @ApiProperty({ example: 250000 }) amount: number;
  @ApiProperty({ example: 'EUR' }) currency: string;
}

export class NeedDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) partyId: string;
  @ApiProperty({ example: 'SLE', description: 'Requesting State, ISO alpha-3' }) state: string;
  @ApiProperty() title: string;
  @ApiProperty() description: string;
  @ApiProperty({ enum: UN_LANGUAGES }) language: UnLanguage;
  @ApiProperty({ type: [String] }) controlAreas: string[];
  @ApiProperty({ type: [String] }) assistanceTypes: string[];
  @ApiProperty({ type: [String] }) frameworks: string[];
  @ApiProperty({ enum: NEED_PRIORITIES }) priority: NeedPriority;
  @ApiProperty({ type: Number, nullable: true }) rank: number | null;
  @ApiProperty({ type: MoneyAmountDto }) estimatedCost: MoneyAmountDto;
  @ApiProperty({ description: 'Estimated cost in USD at the rate of rateDate' })
  estimatedCostUsd: number;
  @ApiProperty({ description: 'USD per unit of the currency applied' }) usdRate: number;
  @ApiProperty({ format: 'date' }) rateDate: string;
  @ApiProperty({ description: 'Committed so far, USD' }) coveredUsd: number;
  @ApiProperty({ type: String, format: 'date', nullable: true }) earliestStart: string | null;
  @ApiProperty({ format: 'date' }) neededBy: string;
  @ApiProperty({ enum: NEED_VISIBILITY_TIERS }) visibility: NeedVisibility;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) planItemId: string | null;
  @ApiProperty({ type: String, nullable: true }) location: string | null;
  @ApiProperty({ type: String, nullable: true }) implementer: string | null;
  @ApiProperty({ enum: NEED_STATUSES }) status: NeedStatus;
  @ApiProperty({ type: String, nullable: true }) statusNote: string | null;
  @ApiProperty() filedOnBehalf: boolean;
  @ApiProperty({
    type: String,
    nullable: true,
    enum: ['pending', 'given', 'no_objection', 'objected'],
    description:
      "For a need filed on the State's behalf: the State's consent to circulate it (pending until consent or the no-objection deadline)",
  })
  consentStatus: 'pending' | 'given' | 'no_objection' | 'objected' | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  consentDeadline: Date | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) createdBy: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) submittedAt: Date | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) publishedAt: Date | null;
  @ApiProperty({ format: 'date-time' }) createdAt: Date;
  @ApiProperty({ format: 'date-time' }) updatedAt: Date;
  @ApiProperty({ description: 'Counts changes made by people; the ETag' }) version: number;
}

export class NeedPageDto {
  @ApiProperty({ type: [NeedDto] }) items: NeedDto[];
  @ApiProperty({ type: String, nullable: true }) nextCursor: string | null;
}
