import { ApiProperty, ApiPropertyOptional, OmitType, PartialType } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { PageQuery } from '../../../common/pagination';
import { IsCalendarDate } from '../../exchange-rates/calendar-date';
import { PLAN_STATUSES, PlanStatus } from '../plan.entity';
import { IsNotAfter, trimString } from '../reference-checks';

export class PlanItemInputDto {
  @ApiPropertyOptional({
    format: 'uuid',
    description: 'On PATCH: the id of an existing item to keep (and update); omit for a new item',
  })
  @IsOptional()
  @IsUUID()
  id?: string;

  @ApiProperty({ maxLength: 300 })
  @Transform(trimString)
  @IsString()
  @IsNotEmpty()
  @MaxLength(300)
  title: string;

  @ApiProperty({ minimum: 1, maximum: 10000 })
  @IsInt()
  @Min(1)
  @Max(10000)
  rank: number;

  @ApiProperty({ type: [String], example: ['05.30', '05.31'] })
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @MaxLength(16, { each: true })
  controlAreas: string[];
}

export class CreatePlanDto {
  @ApiProperty({ maxLength: 200 })
  @Transform(trimString)
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  title: string;

  @ApiProperty({ format: 'date', example: '2025-01-01' })
  @IsCalendarDate()
  @IsNotAfter('periodEnd', { message: 'periodStart must not be after periodEnd' })
  periodStart: string;

  @ApiProperty({ format: 'date', example: '2029-12-31' })
  @IsCalendarDate()
  periodEnd: string;

  @ApiProperty({ maxLength: 300, example: 'National Commission on Small Arms' })
  @Transform(trimString)
  @IsString()
  @IsNotEmpty()
  @MaxLength(300)
  coordinatingBody: string;

  @ApiProperty({ type: [PlanItemInputDto] })
  @IsArray()
  @ArrayMaxSize(500)
  @ValidateNested({ each: true })
  @Type(() => PlanItemInputDto)
  items: PlanItemInputDto[];

  @ApiPropertyOptional({
    format: 'uuid',
    description: 'Secretariat only: the State party whose plan this is',
  })
  @IsOptional()
  @IsUUID()
  partyId?: string;
}

/** Absent fields stay; `items`, when given, replaces the list (items named by id keep their id). */
export class UpdatePlanDto extends PartialType(OmitType(CreatePlanDto, ['partyId'] as const)) {}

export const PLAN_SORTS = ['date', 'relevance'] as const;

export class PlanQueryDto extends PageQuery {
  @ApiPropertyOptional({ example: 'SLE', description: 'ISO alpha-3 of the State' })
  @IsOptional()
  @Matches(/^[A-Za-z]{3}$/, { message: 'state must be an ISO alpha-3 code' })
  state?: string;

  @ApiPropertyOptional({ enum: PLAN_STATUSES })
  @IsOptional()
  @IsIn(PLAN_STATUSES)
  status?: PlanStatus;

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
    example: '05',
    description: 'Plans with an item in this module or series (a series matches its modules)',
  })
  @IsOptional()
  @IsString()
  @MaxLength(16)
  controlArea?: string;

  @ApiPropertyOptional({ format: 'date', description: 'Period overlap: ending on or after' })
  @IsOptional()
  @IsCalendarDate()
  @IsNotAfter('to', { message: 'from must not be after to' })
  from?: string;

  @ApiPropertyOptional({ format: 'date', description: 'Period overlap: starting on or before' })
  @IsOptional()
  @IsCalendarDate()
  to?: string;

  @ApiPropertyOptional({
    description: 'Full-text search over the title and coordinating body, trigram on the title',
  })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  q?: string;

  @ApiPropertyOptional({
    enum: PLAN_SORTS,
    default: 'date',
    description: 'date: newest first; relevance: best match first (needs q)',
  })
  @IsOptional()
  @IsIn(PLAN_SORTS)
  sort?: (typeof PLAN_SORTS)[number];
}

export class PlanItemDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() title: string;
  @ApiProperty() rank: number;
  @ApiProperty({ type: [String] }) controlAreas: string[];
}

export class PlanDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) partyId: string;
  @ApiProperty({ example: 'SLE' }) state: string;
  @ApiProperty() title: string;
  @ApiProperty({ format: 'date' }) periodStart: string;
  @ApiProperty({ format: 'date' }) periodEnd: string;
  @ApiProperty() coordinatingBody: string;
  @ApiProperty({ enum: PLAN_STATUSES }) status: PlanStatus;
  @ApiProperty({ type: [PlanItemDto] }) items: PlanItemDto[];
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) createdBy: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: Date;
  @ApiProperty({ format: 'date-time' }) updatedAt: Date;
  @ApiProperty({ description: 'Counts changes; the ETag' }) version: number;
}

export class PlanPageDto {
  @ApiProperty({ type: [PlanDto] }) items: PlanDto[];
  @ApiProperty({ type: String, nullable: true }) nextCursor: string | null;
}
