import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsNotEmpty,
  IsNumber,
  IsOptional,
  IsPositive,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  ValidateIf,
} from 'class-validator';
import { IsIsoCurrency } from '../../../common/is-currency.validator';
import { IsCalendarDate } from '../../exchange-rates/calendar-date';
import { MatchDto } from '../../matching/dto/match.dto';
import { NEED_STATUSES } from '../../needs/need-lifecycle';
import { OFFER_STATUSES } from '../../offers/offer-lifecycle';
import { IsNotAfter, trimString } from '../../plans/reference-checks';
import { DECLINE_REASONS, DeclineReason } from '../match-lifecycle';

export const MAX_COMMIT_AMOUNT = 1e12;

export class DeclineMatchDto {
  @ApiProperty({ enum: DECLINE_REASONS })
  @IsIn(DECLINE_REASONS)
  reasonCode: DeclineReason;

  @ApiPropertyOptional({ maxLength: 2000, description: 'Required when reasonCode is `other`' })
  @Transform(trimString)
  @ValidateIf((o: DeclineMatchDto) => o.reasonCode === 'other' || o.note !== undefined)
  @IsString()
  @IsNotEmpty({ message: 'note is required when reasonCode is other' })
  @MaxLength(2000)
  note?: string;
}

export class CommitMatchDto {
  @ApiProperty({ example: 120000, exclusiveMinimum: true, minimum: 0, maximum: MAX_COMMIT_AMOUNT })
  @IsNumber({ allowNaN: false, allowInfinity: false, maxDecimalPlaces: 2 })
  @IsPositive()
  @Max(MAX_COMMIT_AMOUNT)
  amount: number;

  @ApiProperty({ example: 'USD', description: 'ISO 4217 code' })
  @IsIsoCurrency()
  currency: string;

  @ApiProperty({ maxLength: 300, example: 'UNDP Sierra Leone' })
  @Transform(trimString)
  @IsString()
  @IsNotEmpty()
  @MaxLength(300)
  implementer: string;

  @ApiProperty({ format: 'date', example: '2026-02-01' })
  @IsCalendarDate()
  @IsNotAfter('endDate', { message: 'startDate must not be after endDate' })
  startDate: string;

  @ApiProperty({ format: 'date', example: '2026-12-31' })
  @IsCalendarDate()
  endDate: string;

  @ApiPropertyOptional({
    description:
      "Secretariat only: confirm a commitment beyond the need's uncovered cost or the offer's remaining envelope (the secretariat then commits on the donor's behalf)",
  })
  @IsOptional()
  @IsBoolean()
  confirmOverCommitment?: boolean;
}

export class CommitmentDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) matchId: string;
  @ApiProperty({ format: 'uuid' }) needId: string;
  @ApiProperty({ format: 'uuid' }) offerId: string;
  @ApiProperty() amount: number;
  @ApiProperty({ example: 'EUR' }) currency: string;
  @ApiProperty({ description: 'The amount in USD at the rate of the commitment date' })
  amountUsd: number;
  @ApiProperty() usdRate: number;
  @ApiProperty({ format: 'date' }) rateDate: string;
  @ApiProperty() implementer: string;
  @ApiProperty({ format: 'date' }) startDate: string;
  @ApiProperty({ format: 'date' }) endDate: string;
  @ApiProperty({
    description: 'Beyond the uncovered cost or envelope, confirmed by the secretariat',
  })
  overCommitment: boolean;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) createdBy: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: Date;
}

export class CommittedNeedDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: NEED_STATUSES }) status: string;
  @ApiProperty() estimatedCostUsd: number;
  @ApiProperty() coveredUsd: number;
  @ApiProperty() version: number;
}

export class CommittedOfferDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: OFFER_STATUSES }) status: string;
  @ApiProperty() totalUsd: number;
  @ApiProperty() committedUsd: number;
  @ApiProperty() remainingUsd: number;
  @ApiProperty() version: number;
}

export class CommitResultDto {
  @ApiProperty({ type: MatchDto }) match: MatchDto;
  @ApiProperty({ type: CommitmentDto }) commitment: CommitmentDto;
  @ApiProperty({ type: CommittedNeedDto }) need: CommittedNeedDto;
  @ApiProperty({ type: CommittedOfferDto }) offer: CommittedOfferDto;
}

export class CommitmentListDto {
  @ApiProperty({ type: [CommitmentDto] }) items: CommitmentDto[];
  @ApiProperty({ type: String, nullable: true, description: 'Always null: every commitment' })
  nextCursor: string | null;
}

export class ObjectNeedDto {
  @ApiProperty({ maxLength: 2000, description: 'Why the State objects to circulating the need' })
  @Transform(trimString)
  @IsString()
  @IsNotEmpty()
  @MaxLength(2000)
  note: string;
}

export class CommentBodyDto {
  @ApiProperty({ maxLength: 5000 })
  @Transform(trimString)
  @IsString()
  @IsNotEmpty()
  @MaxLength(5000)
  body: string;
}

export class CommentDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) matchId: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) authorUserId: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) authorPartyId: string | null;
  @ApiProperty({ description: '"[deleted]" once its author deleted it' }) body: string;
  @ApiProperty() deleted: boolean;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) editedAt: Date | null;
  @ApiProperty({ format: 'date-time' }) createdAt: Date;
}

export class CommentPageDto {
  @ApiProperty({ type: [CommentDto] }) items: CommentDto[];
  @ApiProperty({ type: String, nullable: true }) nextCursor: string | null;
}

export class PipelineQueryDto {
  @ApiPropertyOptional({
    format: 'uuid',
    description: "Secretariat only: whose pipeline (default: the caller's own party)",
  })
  @IsOptional()
  @IsUUID()
  partyId?: string;
}

export class PipelineCountsDto {
  @ApiProperty({ description: 'Matches still suggested or shortlisted' }) suggestions: number;
  @ApiProperty({ description: 'Matches proposed by the secretariat' }) proposals: number;
  @ApiProperty({ description: 'Matches both sides agreed to' }) agreements: number;
  @ApiProperty({ description: 'Commitments made' }) commitments: number;
  @ApiProperty({ description: 'Sum of the commitments, USD' }) committedUsd: number;
}

export class PipelineNeedDto extends PipelineCountsDto {
  @ApiProperty({ format: 'uuid' }) needId: string;
  @ApiProperty() title: string;
  @ApiProperty({ enum: NEED_STATUSES }) status: string;
  @ApiProperty() estimatedCostUsd: number;
  @ApiProperty() coveredUsd: number;
  @ApiProperty({ description: 'coveredUsd / estimatedCostUsd (0 to 1, or more if over-committed)' })
  coverage: number;
}

export class PipelineOfferDto extends PipelineCountsDto {
  @ApiProperty({ format: 'uuid' }) offerId: string;
  @ApiProperty() title: string;
  @ApiProperty({ enum: OFFER_STATUSES }) status: string;
  @ApiProperty() totalUsd: number;
  @ApiProperty() remainingUsd: number;
  @ApiProperty({ description: 'committedUsd / totalUsd' }) coverage: number;
}

export class PipelineDto {
  @ApiProperty({ format: 'uuid' }) partyId: string;
  @ApiProperty({ type: [PipelineNeedDto], description: "The party's needs (a State's view)" })
  needs: PipelineNeedDto[];
  @ApiProperty({ type: [PipelineOfferDto], description: "The party's offers (a donor's view)" })
  offers: PipelineOfferDto[];
}
