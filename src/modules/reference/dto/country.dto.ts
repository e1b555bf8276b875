import { ApiProperty } from '@nestjs/swagger';
import { REGIONAL_GROUP_CODES } from '../../../database/reference/regional-groups';
import type { RegionalGroupCode } from '../../../database/reference/regional-groups';

export class CountryNamesDto {
  @ApiProperty({ example: 'فرنسا' })
  ar: string;

  @ApiProperty({ example: '法国' })
  zh: string;

  @ApiProperty({ example: 'France' })
  en: string;

  @ApiProperty({ example: 'France' })
  fr: string;

  @ApiProperty({ example: 'Франция' })
  ru: string;

  @ApiProperty({ example: 'Francia' })
  es: string;
}

/** A UN Member or observer State. */
export class CountryDto {
  @ApiProperty({ description: 'ISO 3166-1 alpha-2', example: 'FR' })
  alpha2: string;

  @ApiProperty({ description: 'ISO 3166-1 alpha-3, the key used everywhere else', example: 'FRA' })
  alpha3: string;

  @ApiProperty({ description: 'UN M49 three-digit code', example: '250' })
  m49: string;

  @ApiProperty({ description: 'M49 region (English name)', example: 'Europe' })
  region: string;

  @ApiProperty({ description: 'M49 sub-region (English name)', example: 'Western Europe' })
  subRegion: string;

  @ApiProperty({
    description: 'M49 intermediate region (English name), where M49 defines one',
    type: String,
    nullable: true,
    example: null,
  })
  intermediateRegion: string | null;

  @ApiProperty({
    description: 'UN regional group; null for Kiribati and for the observer States',
    enum: REGIONAL_GROUP_CODES,
    nullable: true,
    example: 'WEOG',
  })
  group: RegionalGroupCode | null;

  @ApiProperty({ description: 'Names in the six official UN languages', type: CountryNamesDto })
  names: CountryNamesDto;

  @ApiProperty({ description: 'The name in the requested `lang` (default en)', example: 'France' })
  name: string;
}

export class CountryListDto {
  @ApiProperty({ type: [CountryDto], description: 'Every matching country (not paginated)' })
  items: CountryDto[];
}
