import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { PageQuery } from '../../../common/pagination';
import { ALERT_KINDS, AlertKind } from '../coordination-alert.entity';

export class AlertQueryDto extends PageQuery {
  @ApiPropertyOptional({ enum: ALERT_KINDS })
  @IsOptional()
  @IsIn(ALERT_KINDS)
  kind?: AlertKind;

  @ApiPropertyOptional({
    enum: ['true', 'false'],
    description: 'true: acknowledged alerts only; false: those still to acknowledge',
  })
  @IsOptional()
  @IsIn(['true', 'false'], { message: 'acknowledged must be true or false' })
  acknowledged?: 'true' | 'false';

  @ApiPropertyOptional({ example: 'SLE', description: 'The State concerned, ISO alpha-3' })
  @IsOptional()
  @Matches(/^[A-Za-z]{3}$/, { message: 'state must be an ISO alpha-3 code' })
  state?: string;
}

export class AcknowledgeAlertDto {
  @ApiPropertyOptional({ maxLength: 2000, example: 'Discussed at the donors meeting of 3 March' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  note?: string;
}

export class AlertDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({
    enum: ALERT_KINDS,
    description:
      'over_commitment: commitments together exceed a need’s cost; donor_overlap: two donors fund the same State and control-area series in overlapping periods; envelope_exceeded: an offer committed beyond its envelope',
  })
  kind: AlertKind;
  @ApiProperty({ description: 'One English sentence naming the State, area, donors and amounts' })
  summary: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) needId: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) offerId: string | null;
  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'The State concerned (null for an envelope, which may span States)',
  })
  partyId: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'SLE' }) state: string | null;
  @ApiProperty({ type: [String], description: 'Every need the alert is about' })
  needIds: string[];
  @ApiProperty({ type: [String], description: 'The donors (parties) involved' })
  donorPartyIds: string[];
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'Amounts, periods and commitments behind the alert',
  })
  details: Record<string, unknown>;
  @ApiProperty({ type: String, format: 'date-time' }) createdAt: Date;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) acknowledgedAt: Date | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) acknowledgedBy: string | null;
  @ApiProperty({ type: String, nullable: true }) acknowledgeNote: string | null;
}

export class AlertPageDto {
  @ApiProperty({ type: [AlertDto] }) items: AlertDto[];
  @ApiProperty({ type: String, nullable: true }) nextCursor: string | null;
}
