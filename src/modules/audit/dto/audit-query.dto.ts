import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO8601, IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { PageQuery } from '../../../common/pagination';

export class AuditQueryDto extends PageQuery {
  @ApiPropertyOptional({ example: 'need' })
  @IsOptional()
  @Matches(/^[a-z_]{1,40}$/)
  entityType?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(64)
  entityId?: string;

  @ApiPropertyOptional({
    description: 'Entries by a user of this party, or about a record this party owns',
  })
  @IsOptional()
  @IsUUID()
  partyId?: string;

  @ApiPropertyOptional({ description: 'Entries by this user' })
  @IsOptional()
  @IsUUID()
  userId?: string;

  @ApiPropertyOptional({
    example: 'need.publish',
    description: 'Exact action, or a prefix ending in a dot (`need.`)',
  })
  @IsOptional()
  @Matches(/^[a-z_.]{1,80}$/)
  action?: string;

  @ApiPropertyOptional({ description: 'ISO 8601 time, inclusive' })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ description: 'ISO 8601 time, exclusive' })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;
}
