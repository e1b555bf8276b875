import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsNotEmpty, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { IMPORT_STATUSES, ImportStatus } from '../import-job.entity';
import {
  IMPORT_FORMATS,
  IMPORT_KINDS,
  ImportFormat,
  ImportKind,
  MAX_IMPORT_ROWS,
} from '../import-rows';

/** The largest file accepted, in characters (the request body limit, BODY_LIMIT, also applies). */
export const MAX_IMPORT_CONTENT = 4_000_000;

export class CreateImportDto {
  @ApiProperty({ enum: IMPORT_KINDS })
  @IsIn(IMPORT_KINDS)
  kind: ImportKind;

  @ApiProperty({ enum: IMPORT_FORMATS })
  @IsIn(IMPORT_FORMATS)
  format: ImportFormat;

  @ApiProperty({
    maxLength: MAX_IMPORT_CONTENT,
    description: `The file itself, as text: CSV with a header row (see docs/IMPORTS.md and docs/import-template-needs.csv) or a JSON array of records in the create body's shape plus \`externalRef\`. At most ${MAX_IMPORT_ROWS} rows; the request body limit (BODY_LIMIT, default 1mb) applies.`,
  })
  @IsString()
  @IsNotEmpty()
  @MaxLength(MAX_IMPORT_CONTENT)
  content: string;

  @ApiPropertyOptional({
    format: 'uuid',
    description: 'Secretariat only (and then required): the party the records are filed for',
  })
  @IsOptional()
  @IsUUID()
  partyId?: string;
}

export class ImportAcceptedDto {
  @ApiProperty({ format: 'uuid', description: 'Follow it with GET /imports/{id}' }) id: string;
}

export class ImportProblemDto {
  @ApiProperty({
    description: 'CSV: line of the file (header = 1); JSON: position of the record (from 1)',
  })
  line: number;
  @ApiProperty({ description: 'Column (CSV) or field path (JSON); `file` or `row` for the whole' })
  field: string;
  @ApiProperty() reason: string;
}

export class ImportStatusDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: IMPORT_KINDS }) kind: ImportKind;
  @ApiProperty({ enum: IMPORT_FORMATS }) format: ImportFormat;
  @ApiProperty({ format: 'uuid' }) partyId: string;
  @ApiProperty({
    enum: IMPORT_STATUSES,
    description:
      'queued → running → completed (every row stored) or rejected (bad rows: nothing stored); failed: an unexpected error after the last retry',
  })
  status: ImportStatus;
  @ApiProperty({ description: 'Rows in the file (CSV plan items grouped per plan)' }) total: number;
  @ApiProperty({ description: 'Rows handled so far' }) processed: number;
  @ApiProperty({ description: 'Records created (0 unless completed)' }) created: number;
  @ApiProperty({ description: 'Records changed since their last import (0 unless completed)' })
  updated: number;
  @ApiProperty({ description: 'Rows identical to their last import, left alone' })
  unchanged: number;
  @ApiProperty({ type: [ImportProblemDto] }) errors: ImportProblemDto[];
  @ApiProperty({ format: 'date-time' }) createdAt: Date;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) finishedAt: Date | null;
}
