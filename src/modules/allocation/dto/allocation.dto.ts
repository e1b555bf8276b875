import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { PageQuery } from '../../../common/pagination';
import { RUN_STATUSES, RunStatus } from '../allocation-run.entity';
import { NORMALISATIONS, Normalisation, PRIORITIES, Priority } from '../model/problem';

const finite = (maxDecimalPlaces?: number) =>
  IsNumber({ allowNaN: false, allowInfinity: false, maxDecimalPlaces });

export class AllocationScopeDto {
  @ApiPropertyOptional({
    description: 'Needs of States in this M49 region (any level; name or code)',
    example: 'Western Africa',
  })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  region?: string;

  @ApiPropertyOptional({
    description: 'Needs of States in this regional group (code)',
    example: 'AFG',
  })
  @IsOptional()
  @IsString()
  @MaxLength(20)
  group?: string;

  @ApiPropertyOptional({ description: 'Needs of this State (ISO alpha-3)', example: 'SLE' })
  @IsOptional()
  @IsString()
  @MaxLength(3)
  state?: string;

  @ApiPropertyOptional({
    description: 'Needs tagged with this control area (module or series)',
    example: '05.30',
  })
  @IsOptional()
  @IsString()
  @MaxLength(20)
  controlArea?: string;

  @ApiPropertyOptional({
    type: [String],
    format: 'uuid',
    maxItems: 1000,
    description: 'Only these offers (default: every active offer with money left)',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(1000)
  @ArrayUnique()
  @IsUUID('all', { each: true })
  offerIds?: string[];
}

export class PriorityWeightsDto {
  @ApiProperty({ minimum: 0, maximum: 1000, example: 3 })
  @finite()
  @Min(0)
  @Max(1000)
  high: number;

  @ApiProperty({ minimum: 0, maximum: 1000, example: 2 })
  @finite()
  @Min(0)
  @Max(1000)
  medium: number;

  @ApiProperty({ minimum: 0, maximum: 1000, example: 1 })
  @finite()
  @Min(0)
  @Max(1000)
  low: number;
}

export class AllocationFloorDto {
  @ApiPropertyOptional({
    description: 'An M49 region (any level; name or code). Exactly one of region and group.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  region?: string;

  @ApiPropertyOptional({ description: 'A regional group code. Exactly one of region and group.' })
  @IsOptional()
  @IsString()
  @MaxLength(20)
  group?: string;

  @ApiPropertyOptional({
    description: 'At least this much proposed to its needs (USD)',
    minimum: 0.01,
  })
  @IsOptional()
  @finite(2)
  @Min(0.01)
  @Max(1e12)
  minUsd?: number;

  @ApiPropertyOptional({
    description: 'At least this share of everything proposed (0–1)',
    minimum: 0,
    maximum: 1,
  })
  @IsOptional()
  @finite()
  @Min(0.0001)
  @Max(1)
  minShare?: number;
}

export class CreateAllocationDto {
  @ApiPropertyOptional({
    type: AllocationScopeDto,
    description: 'Which needs and offers take part (default: every open need and active offer)',
  })
  @IsOptional()
  @ValidateNested()
  @Type(() => AllocationScopeDto)
  scope?: AllocationScopeDto;

  @ApiPropertyOptional({
    type: PriorityWeightsDto,
    description: 'Objective weight of each priority (default high 3, medium 2, low 1)',
  })
  @IsOptional()
  @ValidateNested()
  @Type(() => PriorityWeightsDto)
  weights?: PriorityWeightsDto;

  @ApiPropertyOptional({
    enum: NORMALISATIONS,
    default: 'need_cost',
    description:
      '`need_cost`: a USD counts relative to its need’s estimated cost; `usd`: every USD alike (per million)',
  })
  @IsOptional()
  @IsIn(NORMALISATIONS)
  normalisation?: Normalisation;

  @ApiPropertyOptional({
    default: false,
    description:
      'Whole projects: a funded pair gets at least the offer’s per-project minimum (integer programme under timeLimitSeconds)',
  })
  @IsOptional()
  @IsBoolean()
  integer?: boolean;

  @ApiPropertyOptional({ minimum: 1, maximum: 600, default: 60 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(600)
  timeLimitSeconds?: number;

  @ApiPropertyOptional({
    minimum: 0,
    maximum: 0.5,
    default: 0.0001,
    description: 'Relative optimality gap at which the integer search may stop',
  })
  @IsOptional()
  @finite()
  @Min(0)
  @Max(0.5)
  mipRelGap?: number;

  @ApiPropertyOptional({
    type: [AllocationFloorDto],
    maxItems: 50,
    description: 'Fairness floors per region or regional group',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => AllocationFloorDto)
  floors?: AllocationFloorDto[];
}

export class AllocationAcceptedDto {
  @ApiProperty({ format: 'uuid', description: 'Follow it with GET /coordination/allocations/{id}' })
  id: string;
}

export class BindingReasonDto {
  @ApiProperty() score: number;
  @ApiProperty({ enum: PRIORITIES }) priority: Priority;
  @ApiProperty({ description: 'The priority’s weight in the objective' }) weight: number;
  @ApiProperty({ description: 'Objective value per USD of this pair' }) valuePerUsd: number;
  @ApiProperty({
    type: [String],
    enum: [
      'offer_budget',
      'need_uncovered',
      'per_project_max',
      'per_project_min',
      'fairness_floor',
    ],
    description: 'Limits this pair’s amount reached (within a dollar)',
  })
  bindingConstraints: string[];
}

export class AssignmentDto {
  @ApiProperty({ format: 'uuid' }) needId: string;
  @ApiProperty({ format: 'uuid' }) offerId: string;
  @ApiProperty({ description: 'Proposed amount, USD (cents)' }) amountUsd: number;
  @ApiProperty({ description: 'The stored match score' }) score: number;
  @ApiProperty({ enum: PRIORITIES }) priority: Priority;
  @ApiProperty({ type: BindingReasonDto }) reason: BindingReasonDto;
}

export class NeedComparisonDto {
  @ApiProperty({ format: 'uuid' }) needId: string;
  @ApiProperty({ enum: PRIORITIES }) priority: Priority;
  @ApiProperty() estimatedUsd: number;
  @ApiProperty({ description: 'Committed when the proposal was computed' })
  committedAtSolveUsd: number;
  @ApiProperty({ description: 'Committed now (sum of the need’s commitments)' })
  committedNowUsd: number;
  @ApiProperty({ description: 'Proposed by this run' }) proposedUsd: number;
  @ApiProperty({ description: 'Share of the cost committed now (0–1)' }) coverageNow: number;
  @ApiProperty({ description: 'Share of the cost committed now plus proposed, at most 1' })
  coverageWithProposal: number;
  @ApiProperty({ description: 'Commitments changed since the proposal was computed' })
  changedSinceSolve: boolean;
}

export class ComparisonTotalsDto {
  @ApiProperty() needsInScope: number;
  @ApiProperty() needsGivenSomething: number;
  @ApiProperty() needsFullyCoveredByProposal: number;
  @ApiProperty({ description: 'Uncovered cost of the scope when computed' }) uncoveredUsd: number;
  @ApiProperty({ description: 'Committed now to the needs given something' })
  committedNowUsd: number;
  @ApiProperty() proposedUsd: number;
}

export class AllocationComparisonDto {
  @ApiProperty({ type: ComparisonTotalsDto }) totals: ComparisonTotalsDto;
  @ApiProperty({ type: [NeedComparisonDto] }) needs: NeedComparisonDto[];
}

export class AllocationSummaryDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: RUN_STATUSES }) status: RunStatus;
  @ApiProperty({ minimum: 0, maximum: 100 }) progress: number;
  @ApiProperty({ description: 'Whole projects (integer programme) or fractional (LP)' })
  integer: boolean;
  @ApiProperty({ description: 'The request, normalised' }) params: Record<string, unknown>;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) requestedBy: string | null;
  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'Objective of the returned assignments',
  })
  objective: number | null;
  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'Optimum of the linear programme (an upper bound)',
  })
  lpObjective: number | null;
  @ApiProperty({
    type: Number,
    nullable: true,
    description:
      'Proven relative optimality gap of the returned assignments, (bound − objective) / objective; 0 for the LP',
  })
  gap: number | null;
  @ApiProperty({ type: Number, nullable: true }) greedyObjective: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'lpObjective ÷ greedyObjective' })
  lpOverGreedy: number | null;
  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'Seconds spent solving (greedy, LP, integer)',
  })
  solveSeconds: number | null;
  @ApiProperty({
    type: Object,
    nullable: true,
    description: 'Sizes, per-solver figures and totals',
  })
  stats: Record<string, unknown> | null;
  @ApiProperty({
    type: Object,
    nullable: true,
    description: 'Why a run failed; infeasible floors are named with the most they could get',
  })
  error: Record<string, unknown> | null;
  @ApiProperty({ format: 'date-time' }) createdAt: Date;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) startedAt: Date | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) finishedAt: Date | null;
}

export class AllocationDto extends AllocationSummaryDto {
  @ApiProperty({ type: [AssignmentDto], description: 'Empty until succeeded' })
  assignments: AssignmentDto[];
  @ApiProperty({ type: AllocationComparisonDto, nullable: true })
  comparison: AllocationComparisonDto | null;
}

export class AllocationPageDto {
  @ApiProperty({ type: [AllocationSummaryDto] }) items: AllocationSummaryDto[];
  @ApiProperty({ type: String, nullable: true }) nextCursor: string | null;
}

export class AllocationQueryDto extends PageQuery {
  @ApiPropertyOptional({ enum: RUN_STATUSES })
  @IsOptional()
  @IsIn(RUN_STATUSES)
  status?: RunStatus;
}
