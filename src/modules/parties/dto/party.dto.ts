import { ApiProperty, ApiPropertyOptional, PartialType, PickType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  IsBoolean,
  IsEmail,
  IsIn,
  IsOptional,
  IsString,
  Length,
  Matches,
  MaxLength,
} from 'class-validator';
import { PageQuery } from '../../../common/pagination';
import { PARTY_TYPES, PartyType } from '../../../common/access/roles';
import { CONTACT_ROLES, ContactRole } from '../party-contact.entity';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class CreatePartyDto {
  @ApiProperty({ enum: PARTY_TYPES })
  @IsIn(PARTY_TYPES)
  type: PartyType;

  @ApiProperty({ example: 'Republic of Sierra Leone', maxLength: 200 })
  @Transform(trim)
  @IsString()
  @Length(2, 200)
  name: string;

  @ApiPropertyOptional({
    example: 'SLE',
    description: 'ISO alpha-3 of the reference country; required for a State, refused otherwise',
  })
  @IsOptional()
  @Matches(/^[A-Za-z]{3}$/, { message: 'countryCode must be an ISO 3166-1 alpha-3 code' })
  countryCode?: string;

  @ApiPropertyOptional({ example: 'UNODA', maxLength: 32 })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @Length(1, 32)
  acronym?: string;
}

export class UpdatePartyDto extends PartialType(
  PickType(CreatePartyDto, ['name', 'acronym'] as const),
) {}

export class PartyQueryDto extends PageQuery {
  @ApiPropertyOptional({ enum: PARTY_TYPES })
  @IsOptional()
  @IsIn(PARTY_TYPES)
  type?: PartyType;

  @ApiPropertyOptional({ description: 'Case-insensitive part of the name or acronym' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  q?: string;

  @ApiPropertyOptional({ example: 'SLE' })
  @IsOptional()
  @Matches(/^[A-Za-z]{3}$/)
  state?: string;

  @ApiPropertyOptional({ description: 'true: active only (default); false: deactivated only' })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  active?: boolean;
}

export class PartyDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: PARTY_TYPES }) type: PartyType;
  @ApiProperty() name: string;
  @ApiProperty({ nullable: true, type: String }) acronym: string | null;
  @ApiProperty({ nullable: true, type: String, example: 'SLE' }) countryCode: string | null;
  @ApiProperty() active: boolean;
  @ApiProperty({ format: 'date-time' }) createdAt: Date;
  @ApiProperty({ format: 'date-time' }) updatedAt: Date;
}

export class PartyPageDto {
  @ApiProperty({ type: [PartyDto] }) items: PartyDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}

export class CreateContactDto {
  @ApiProperty({
    enum: CONTACT_ROLES,
    description: 'poa/iti_point_of_contact: national points of contact (res. 62/47 para. 2)',
  })
  @IsIn(CONTACT_ROLES)
  role: ContactRole;

  @ApiProperty({ maxLength: 200 })
  @Transform(trim)
  @IsString()
  @Length(2, 200)
  name: string;

  @ApiPropertyOptional({ maxLength: 200 })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  title?: string;

  @ApiPropertyOptional({ maxLength: 200 })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  organisation?: string;

  @ApiPropertyOptional({ maxLength: 320 })
  @IsOptional()
  @IsEmail()
  @MaxLength(320)
  email?: string;

  @ApiPropertyOptional({ maxLength: 50 })
  @IsOptional()
  @Matches(/^[0-9+() .-]{5,50}$/, {
    message: 'phone may contain digits, spaces and + ( ) . - only',
  })
  phone?: string;
}

export class ContactDto extends CreateContactDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) partyId: string;
  @ApiProperty({ format: 'date-time' }) createdAt: Date;
}
