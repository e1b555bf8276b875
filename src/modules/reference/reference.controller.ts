import {
  CallHandler,
  Controller,
  ExecutionContext,
  Get,
  Injectable,
  NestInterceptor,
  Param,
  Query,
  UseInterceptors,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { Observable, tap } from 'rxjs';
import { Public } from '../../common/access/access.decorators';
import { AppException } from '../../common/errors';
import { Country, UN_LANGUAGES, UnLanguage } from './country.entity';
import { CountryDto, CountryListDto } from './dto/country.dto';
import {
  CountryLanguageQueryDto,
  ListControlAreasQueryDto,
  ListCountriesQueryDto,
  NoQueryDto,
} from './dto/reference-query.dto';
import {
  AssistanceTypeListDto,
  ControlAreaListDto,
  FrameworkListDto,
  RegionsDto,
} from './dto/taxonomy.dto';
import { isUnLanguage, ReferenceService, unknownFilterValue } from './reference.service';

/** Reference data changes only with a deployment (migration): let clients and proxies cache it. */
const CACHE_CONTROL = 'public, max-age=3600';

/** Marks successful answers cacheable; errors (a 400, a 503 while the database is down) are not. */
@Injectable()
class CacheForAnHourInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next
      .handle()
      .pipe(
        tap(() =>
          context.switchToHttp().getResponse<Response>().setHeader('Cache-Control', CACHE_CONTROL),
        ),
      );
  }
}

const collators = new Map<UnLanguage, Intl.Collator>();
function collator(lang: UnLanguage): Intl.Collator {
  let c = collators.get(lang);
  if (!c) {
    c = new Intl.Collator(lang, { sensitivity: 'base' });
    collators.set(lang, c);
  }
  return c;
}

function parseLang(value: string | undefined): UnLanguage {
  if (value === undefined) return 'en';
  if (!isUnLanguage(value))
    throw unknownFilterValue('lang', value, `one of ${UN_LANGUAGES.join(', ')}`);
  return value;
}

/**
 * Countries and taxonomy, open to everyone. Reference lists are not paginated: each
 * response is `{ items: [...] }` holding every row (no `nextCursor`).
 */
@ApiTags('reference')
@UseInterceptors(CacheForAnHourInterceptor)
@Controller()
export class ReferenceController {
  constructor(private readonly reference: ReferenceService) {}

  @Get('countries')
  @Public()
  @ApiOperation({
    summary: 'UN Member and observer States',
    description:
      'Every matching State in one response, sorted by `name` in `lang`. `region` accepts any M49 level by ' +
      'English name or code; an unknown `region`, `group` or `lang` answers 400 `UNKNOWN_FILTER_VALUE`.',
  })
  @ApiOkResponse({ type: CountryListDto })
  @ApiBadRequestResponse({
    description: 'Unknown parameter, or unknown `region`, `group` or `lang` value',
  })
  async listCountries(@Query() query: ListCountriesQueryDto): Promise<CountryListDto> {
    const lang = parseLang(query.lang);
    const rows = await this.reference.listCountries({ region: query.region, group: query.group });
    const items = rows.map((row) => this.toCountryDto(row, lang));
    const compare = collator(lang);
    items.sort((a, b) => compare.compare(a.name, b.name) || a.alpha3.localeCompare(b.alpha3));
    return { items };
  }

  @Get('countries/:code')
  @Public()
  @ApiOperation({ summary: 'One State by ISO alpha-2, alpha-3 or M49 code (any case)' })
  @ApiParam({ name: 'code', example: 'FRA' })
  @ApiOkResponse({ type: CountryDto })
  @ApiBadRequestResponse({ description: 'Unknown parameter or `lang` value' })
  @ApiNotFoundResponse({ description: 'No State has this code' })
  async getCountry(
    @Param('code') code: string,
    @Query() query: CountryLanguageQueryDto,
  ): Promise<CountryDto> {
    const lang = parseLang(query.lang);
    const row = await this.reference.findCountry(code);
    if (!row) throw AppException.notFound('Country');
    return this.toCountryDto(row, lang);
  }

  @Get('taxonomy/areas')
  @Public()
  @ApiOperation({
    summary: 'Control areas: MOSAIC series and modules, and platform areas (AMMO, BRK, REP)',
    description: 'With `series`, only the modules of that series.',
  })
  @ApiOkResponse({ type: ControlAreaListDto })
  @ApiBadRequestResponse({ description: 'Unknown parameter or unknown `series`' })
  async listControlAreas(@Query() query: ListControlAreasQueryDto): Promise<ControlAreaListDto> {
    const rows = await this.reference.controlAreaList(query.series);
    return { items: rows.map(({ code, kind, series, title }) => ({ code, kind, series, title })) };
  }

  @Get('taxonomy/assistance-types')
  @Public()
  @ApiOperation({ summary: 'Types of assistance' })
  @ApiOkResponse({ type: AssistanceTypeListDto })
  @ApiBadRequestResponse({ description: 'Unknown parameter' })
  async listAssistanceTypes(@Query() _query: NoQueryDto): Promise<AssistanceTypeListDto> {
    const catalog = await this.reference.catalog();
    return { items: catalog.assistanceTypes.map(({ code, title }) => ({ code, title })) };
  }

  @Get('taxonomy/frameworks')
  @Public()
  @ApiOperation({ summary: 'International frameworks (PoA, ITI, ATT)' })
  @ApiOkResponse({ type: FrameworkListDto })
  @ApiBadRequestResponse({ description: 'Unknown parameter' })
  async listFrameworks(@Query() _query: NoQueryDto): Promise<FrameworkListDto> {
    const catalog = await this.reference.catalog();
    return { items: catalog.frameworks.map(({ code, title, year }) => ({ code, title, year })) };
  }

  @Get('taxonomy/regions')
  @Public()
  @ApiOperation({
    summary:
      'UN M49 areas used by the countries (with level and parent) and the UN regional groups',
  })
  @ApiOkResponse({ type: RegionsDto })
  @ApiBadRequestResponse({ description: 'Unknown parameter' })
  async listRegions(@Query() _query: NoQueryDto): Promise<RegionsDto> {
    const catalog = await this.reference.catalog();
    return {
      items: catalog.m49Areas.map(({ code, name, level, parentCode }) => ({
        code,
        name,
        level,
        parentCode,
      })),
      groups: catalog.regionalGroups.map(({ code, name }) => ({ code, name })),
    };
  }

  private toCountryDto(row: Country, lang: UnLanguage): CountryDto {
    return {
      alpha2: row.alpha2,
      alpha3: row.alpha3,
      m49: row.m49,
      region: row.region,
      subRegion: row.subRegion,
      intermediateRegion: row.intermediateRegion,
      group: row.regionalGroup,
      names: {
        ar: row.names.ar,
        zh: row.names.zh,
        en: row.names.en,
        fr: row.names.fr,
        ru: row.names.ru,
        es: row.names.es,
      },
      name: this.reference.countryName(row, lang),
    };
  }
}
