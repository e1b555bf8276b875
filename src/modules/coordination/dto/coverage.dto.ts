import { ApiProperty, ApiPropertyOptional, OmitType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { NeedQueryDto } from '../../needs/dto/need.dto';

export const REGION_LEVELS = ['region', 'subRegion', 'intermediateRegion'] as const;
export type RegionLevel = (typeof REGION_LEVELS)[number];

/**
 * A slice of the coverage: the needs list's filters (State, region at any M49 level, regional
 * group, control area, assistance type, framework, status, priority, cost, `from`/`to`
 * overlap), without paging, sort or text search.
 */
export class CoverageQueryDto extends OmitType(NeedQueryDto, ['limit', 'cursor', 'sort', 'q']) {
  @ApiPropertyOptional({
    minimum: 0,
    maximum: 3650,
    default: 90,
    description:
      'Open needs published more than this many days ago without an agreed match are listed in `stale`',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(3650)
  staleDays?: number;

  @ApiPropertyOptional({
    enum: REGION_LEVELS,
    default: 'region',
    description:
      'M49 level of `byRegion` (an intermediate region falls back to the sub-region where a country has none)',
  })
  @IsOptional()
  @IsIn(REGION_LEVELS)
  regionLevel?: RegionLevel;
}

/** The same slice filters, for the chart and the exports (no stale list). */
export class CoverageSliceQueryDto extends OmitType(CoverageQueryDto, ['staleDays']) {}

/** The slice's filters, for the commitments export. */
export class CommitmentsExportQueryDto extends OmitType(CoverageQueryDto, [
  'staleDays',
  'regionLevel',
]) {}

export class CoverageFiguresDto {
  @ApiProperty({
    description: 'Needs declared in the slice: every status but draft and withdrawn',
  })
  needsDeclared: number;
  @ApiProperty({
    description:
      'Declared needs that were published (published, partially_covered, covered, closed, expired)',
  })
  needsPublished: number;
  @ApiProperty({ description: 'Published needs whose commitments reach their estimated cost' })
  needsCovered: number;
  @ApiProperty({ description: 'Published needs whose commitments fall short of their cost' })
  needsUnmet: number;
  @ApiProperty({ description: 'Estimated cost of the declared needs, USD' }) declaredUsd: number;
  @ApiProperty({ description: 'Estimated cost of the published needs, USD' }) publishedUsd: number;
  @ApiProperty({ description: 'Estimated cost of the covered needs, USD' }) coveredUsd: number;
  @ApiProperty({ description: 'Estimated cost of the unmet needs, USD' }) unmetUsd: number;
  @ApiProperty({ description: 'Sum of the commitments on the declared needs, USD' })
  committedUsd: number;
  @ApiProperty({
    description:
      'What remains to fund: the sum over declared needs of max(0, cost − committed), USD (an over-committed need does not offset another)',
  })
  gapUsd: number;
}

export class CoverageRegionDto extends CoverageFiguresDto {
  @ApiProperty({ example: '002', description: 'M49 code' }) code: string;
  @ApiProperty({ example: 'Africa' }) name: string;
}

export class CoverageAreaDto extends CoverageFiguresDto {
  @ApiProperty({
    example: '05',
    description: 'Control-area series (a module counts under its series; platform areas as such)',
  })
  code: string;
  @ApiProperty({ example: 'Operational support' }) title: string;
}

export class CoverageDonorDto {
  @ApiProperty({ format: 'uuid' }) partyId: string;
  @ApiProperty() name: string;
  @ApiProperty({ example: 'trust_fund' }) type: string;
  @ApiProperty({ description: 'Needs of the slice this donor committed to' }) needsFunded: number;
  @ApiProperty({ description: 'Commitments on needs of the slice' }) commitments: number;
  @ApiProperty({ description: 'Committed on needs of the slice, USD' }) committedUsd: number;
  @ApiProperty({
    description:
      'Live offers (active, paused, exhausted) that fit the slice: control area, assistance type, period, and eligibility for its State, region or group',
  })
  offers: number;
  @ApiProperty({ description: 'Budget envelope of those offers, USD' }) envelopeUsd: number;
  @ApiProperty({ description: 'Committed from those offers (on any need), USD' })
  envelopeCommittedUsd: number;
  @ApiProperty({
    description: 'Envelope not yet committed, USD (negative when committed beyond it)',
  })
  envelopeRemainingUsd: number;
}

export class StaleSuggestionDto {
  @ApiProperty({ format: 'uuid' }) matchId: string;
  @ApiProperty({ format: 'uuid' }) offerId: string;
  @ApiProperty() offerTitle: string;
  @ApiProperty({ format: 'uuid' }) donorPartyId: string;
  @ApiProperty() donorName: string;
  @ApiProperty() score: number;
  @ApiProperty({ enum: ['suggested', 'shortlisted', 'proposed'] }) status: string;
}

export class StaleNeedDto {
  @ApiProperty({ format: 'uuid' }) needId: string;
  @ApiProperty() title: string;
  @ApiProperty({ example: 'SLE' }) state: string;
  @ApiProperty({ enum: ['published', 'partially_covered'] }) status: string;
  @ApiProperty({ type: String, format: 'date-time' }) publishedAt: Date;
  @ApiProperty() daysOpen: number;
  @ApiProperty() estimatedCostUsd: number;
  @ApiProperty() committedUsd: number;
  @ApiProperty() gapUsd: number;
  @ApiProperty({
    type: [StaleSuggestionDto],
    description: 'Its best current suggestions (eligible, not yet agreed), highest score first',
  })
  suggestions: StaleSuggestionDto[];
}

export class CoverageDto {
  @ApiProperty({ type: CoverageFiguresDto }) totals: CoverageFiguresDto;
  @ApiProperty({
    type: [CoverageDonorDto],
    description:
      'Donors committed in the slice or with live offers fitting it; most committed first',
  })
  byDonor: CoverageDonorDto[];
  @ApiProperty({
    type: [CoverageRegionDto],
    description:
      'Per M49 area of the requesting States (level per `regionLevel`); largest declared first',
  })
  byRegion: CoverageRegionDto[];
  @ApiProperty({
    type: [CoverageAreaDto],
    description:
      'Per control-area series; a need tagged with several series counts in each, so rows may add up to more than the totals',
  })
  byArea: CoverageAreaDto[];
  @ApiProperty({
    type: [StaleNeedDto],
    description:
      'Open needs published more than `staleDays` days ago with no agreed match (agreed, committed, in delivery or delivered), longest open first; at most 100',
  })
  stale: StaleNeedDto[];
  @ApiProperty({ example: 90 }) staleDays: number;
}
