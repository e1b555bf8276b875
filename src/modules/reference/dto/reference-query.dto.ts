import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { UN_LANGUAGES } from '../country.entity';

// `lang`, `region`, `group` and `series` are checked against the reference data by the
// service, which answers 400 UNKNOWN_FILTER_VALUE naming the parameter; the decorators
// here only refuse malformed input (a repeated parameter, an over-long value).

export class CountryLanguageQueryDto {
  @ApiPropertyOptional({
    enum: UN_LANGUAGES,
    default: 'en',
    description: 'Language of the top-level `name` field (and of the sort order of lists)',
  })
  @IsOptional()
  @IsString()
  @MaxLength(8)
  lang?: string;
}

export class ListCountriesQueryDto extends CountryLanguageQueryDto {
  @ApiPropertyOptional({
    description:
      'UN M49 region, sub-region or intermediate region: English name (any case) or three-digit code, e.g. `Africa`, `202`, `Western Africa`',
    example: 'Western Africa',
  })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  region?: string;

  @ApiPropertyOptional({
    description: 'UN regional group code',
    enum: ['AFRICAN', 'APG', 'EEG', 'GRULAC', 'WEOG'],
  })
  @IsOptional()
  @IsString()
  @MaxLength(16)
  group?: string;
}

export class ListControlAreasQueryDto {
  @ApiPropertyOptional({
    description: 'A MOSAIC series code: answers the modules of that series',
    example: '05',
  })
  @IsOptional()
  @IsString()
  @MaxLength(16)
  series?: string;
}

/** For routes without parameters: any query parameter is refused with 400, as elsewhere. */
export class NoQueryDto {}
