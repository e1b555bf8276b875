import { ApiProperty } from '@nestjs/swagger';
import { RULES } from '../engine/eligibility';
import { COMPONENTS } from '../engine/types';
import { MATCH_STATUSES, MatchSuggestion } from '../match-suggestion.entity';

export class MatchComponentsDto {
  @ApiProperty({
    minimum: 0,
    maximum: 1,
    description:
      'Control areas: exact module 1, whole series 0.8, same series 0.4; first area counts double',
  })
  areas: number;
  @ApiProperty({
    minimum: 0,
    maximum: 1,
    description: "Share of the need's assistance types the offer provides",
  })
  types: number;
  @ApiProperty({
    minimum: 0,
    maximum: 1,
    description: 'Fit of the uncovered cost to the per-project range and the envelope left',
  })
  budget: number;
  @ApiProperty({
    minimum: 0,
    maximum: 1,
    description: "Share of the need's window the offer covers",
  })
  timing: number;
  @ApiProperty({
    minimum: 0,
    maximum: 1,
    description: "1 when the offer can be delivered in the need's language",
  })
  language: number;
  @ApiProperty({
    minimum: 0,
    maximum: 1,
    description: 'Need priority, blended with its National Action Plan rank',
  })
  priority: number;
  @ApiProperty({
    minimum: 0,
    maximum: 1,
    description: 'The donor already committed to this State (1) or its sub-region (0.5)',
  })
  engagement: number;
  @ApiProperty({
    minimum: 0,
    maximum: 1,
    description: 'Text relevance (language-aware); it can only raise the score',
  })
  text: number;
}

export class MatchDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) needId: string;
  @ApiProperty({ format: 'uuid' }) offerId: string;
  @ApiProperty({ minimum: 0, maximum: 1 }) score: number;
  @ApiProperty({ type: MatchComponentsDto }) components: MatchComponentsDto;
  @ApiProperty({
    example:
      "Both cover 05.30 Marking and recordkeeping; Ghana is in the offer's region (Western Africa); …",
  })
  explanation: string;
  @ApiProperty({ enum: MATCH_STATUSES }) status: string;
  @ApiProperty({
    description: 'false when a suggestion someone acted on no longer meets the rules',
  })
  eligible: boolean;
  @ApiProperty({
    description: "The need's uncovered cost exceeds what the offer can give one project",
  })
  partial: boolean;
  @ApiProperty({ enum: RULES, isArray: true }) rulesPassed: string[];
  @ApiProperty({ enum: RULES, isArray: true }) rulesFailed: string[];
  @ApiProperty({ description: 'Changes made by people; re-scoring does not change it' })
  version: number;
  @ApiProperty({
    format: 'date-time',
    description:
      'When the score, rules or explanation last changed (a re-match that finds the same values leaves it as it is)',
  })
  computedAt: Date;
  @ApiProperty({
    format: 'date-time',
    nullable: true,
    type: String,
    description: "When the need's State expressed interest",
  })
  stateInterestAt: Date | null;
  @ApiProperty({
    format: 'date-time',
    nullable: true,
    type: String,
    description: "When the offer's donor expressed interest",
  })
  donorInterestAt: Date | null;
  @ApiProperty({
    nullable: true,
    type: String,
    enum: ['out_of_scope', 'no_budget', 'duplicate', 'timing', 'other'],
  })
  declineReasonCode: string | null;
  @ApiProperty({ nullable: true, type: String }) declineNote: string | null;
  @ApiProperty({ nullable: true, type: String, enum: ['state', 'donor', 'secretariat'] })
  declinedBy: string | null;
}

export class MatchListDto {
  @ApiProperty({ type: [MatchDto] }) items: MatchDto[];
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'Always null: the list holds the stored top suggestions',
  })
  nextCursor: string | null;
}

export class JobAcceptedDto {
  @ApiProperty() jobId: string;
}

export class JobStatusDto {
  @ApiProperty() id: string;
  @ApiProperty() name: string;
  @ApiProperty({
    enum: [
      'waiting',
      'active',
      'delayed',
      'completed',
      'failed',
      'prioritized',
      'waiting-children',
      'unknown',
    ],
  })
  state: string;
  @ApiProperty({ description: 'Percent done, or a progress object' }) progress: number | object;
  @ApiProperty({ required: false, type: Object }) result?: unknown;
  @ApiProperty({ required: false }) error?: string;
}

export function toMatchDto(m: MatchSuggestion): MatchDto {
  return {
    id: m.id,
    needId: m.needId,
    offerId: m.offerId,
    score: Number(m.score),
    components: Object.fromEntries(
      COMPONENTS.map((c) => [c, m.components[c]]),
    ) as unknown as MatchComponentsDto,
    explanation: m.explanation,
    status: m.status,
    eligible: m.eligible,
    partial: m.partial,
    rulesPassed: m.rulesPassed,
    rulesFailed: m.rulesFailed,
    version: m.version,
    computedAt: m.computedAt,
    stateInterestAt: m.stateInterestAt ?? null,
    donorInterestAt: m.donorInterestAt ?? null,
    declineReasonCode: m.declineReasonCode ?? null,
    declineNote: m.declineNote ?? null,
    declinedBy: m.declinedBy ?? null,
  };
}
