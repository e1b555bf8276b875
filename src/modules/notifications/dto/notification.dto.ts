import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsOptional,
  ValidateNested,
} from 'class-validator';
import { PageQuery } from '../../../common/pagination';
import { NOTIFICATION_TYPE_NAMES, NotificationType } from '../notification-types';

export class NotificationQueryDto extends PageQuery {
  @ApiPropertyOptional({ description: 'Only unread notifications' })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  unread?: boolean;
}

export class NotificationDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: NOTIFICATION_TYPE_NAMES }) eventType: string;
  @ApiProperty({ example: 'match' }) entityType: string;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) entityId: string | null;
  @ApiProperty({ description: "In the recipient's language" }) title: string;
  @ApiProperty() body: string;
  @ApiPropertyOptional({ nullable: true, type: String, example: '/api/v1/matches/…' })
  link: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) readAt: Date | null;
  @ApiProperty({ format: 'date-time' }) createdAt: Date;
}

export class NotificationPageDto {
  @ApiProperty({ type: [NotificationDto] }) items: NotificationDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}

export class UnreadCountDto {
  @ApiProperty() count: number;
}

export class PreferenceDto {
  @ApiProperty({ enum: NOTIFICATION_TYPE_NAMES }) eventType: NotificationType;
  @ApiProperty() inApp: boolean;
  @ApiProperty() email: boolean;
  @ApiProperty({ enum: ['immediate', 'digest'] }) emailMode: 'immediate' | 'digest';
}

export class PreferencesDto {
  @ApiProperty({ type: [PreferenceDto] }) preferences: PreferenceDto[];
}

export class PreferenceInputDto {
  @ApiProperty({ enum: NOTIFICATION_TYPE_NAMES })
  @IsIn(NOTIFICATION_TYPE_NAMES)
  eventType: NotificationType;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  inApp?: boolean;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  email?: boolean;

  @ApiPropertyOptional({ enum: ['immediate', 'digest'] })
  @IsOptional()
  @IsIn(['immediate', 'digest'])
  emailMode?: 'immediate' | 'digest';
}

/** The event types named change; the others keep their current setting. */
export class UpdatePreferencesDto {
  @ApiProperty({ type: [PreferenceInputDto] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(NOTIFICATION_TYPE_NAMES.length)
  @ValidateNested({ each: true })
  @Type(() => PreferenceInputDto)
  preferences: PreferenceInputDto[];
}
