import { ApiProperty } from '@nestjs/swagger';

export class AuditEntryDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'date-time' }) at: string;
  @ApiProperty({ enum: ['user', 'api_key', 'system', 'anonymous'] }) actorKind: string;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) actorUserId: string | null;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) actorPartyId: string | null;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) actorApiKeyId: string | null;
  @ApiProperty({ example: 'user.create' }) action: string;
  @ApiProperty({ example: 'user' }) entityType: string;
  @ApiProperty({ nullable: true, type: String }) entityId: string | null;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) entityPartyId: string | null;
  @ApiProperty({
    nullable: true,
    type: Object,
    description: '{ field: { before, after } } for changed fields',
  })
  changes: Record<string, unknown> | null;
  @ApiProperty({ nullable: true, type: Object }) metadata: Record<string, unknown> | null;
  @ApiProperty({ nullable: true, type: String }) requestId: string | null;
  @ApiProperty({ nullable: true, type: String }) jobId: string | null;
}

export class AuditPageDto {
  @ApiProperty({ type: [AuditEntryDto] }) items: AuditEntryDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}
