import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsString, Matches, MaxLength } from 'class-validator';
import { ROLES, type Role } from '../../../common/access/roles';
import { PageQuery } from '../../../common/pagination';

export class CreateApiKeyDto {
  @ApiProperty({ example: 'National reporting tool', maxLength: 100 })
  @IsString()
  @Matches(/\S/, { message: 'name must not be blank' })
  @MaxLength(100)
  name: string;

  @ApiProperty({
    enum: ROLES,
    description: 'A role the creator holds; the key acts with this role only',
  })
  @IsIn(ROLES)
  role: Role;
}

export class ApiKeyQueryDto extends PageQuery {}

export class ApiKeyDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty()
  name: string;

  @ApiProperty({ enum: ROLES })
  role: Role;

  @ApiProperty({
    description: 'Public part of the key (`salw_<prefix>_…`), to recognise it',
    example: '3f9a1c0b7d2e',
  })
  prefix: string;

  @ApiProperty({ format: 'uuid', description: 'The user who created the key' })
  createdBy: string;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt: Date;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'Null until first used; updated at most once a minute',
  })
  lastUsedAt: Date | null;
}

export class CreatedApiKeyDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty()
  name: string;

  @ApiProperty({ enum: ROLES })
  role: Role;

  @ApiProperty({ example: '3f9a1c0b7d2e' })
  prefix: string;

  @ApiProperty({
    description:
      'The key, shown only now: send it as `X-API-Key: …` (or `Authorization: Bearer …`)',
    example: 'salw_3f9a1c0b7d2e_…',
  })
  key: string;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt: Date;
}

export class ApiKeyPageDto {
  @ApiProperty({ type: [ApiKeyDto] })
  items: ApiKeyDto[];

  @ApiProperty({ type: String, nullable: true })
  nextCursor: string | null;
}
