import { Body, Controller, Delete, Get, HttpCode, Param, Put, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import { Authenticated, Roles } from '../../common/access/access.decorators';
import { CurrentPrincipal } from '../../common/access/current-principal.decorator';
import type { Principal } from '../../common/access/roles';
import {
  ExchangeRateDto,
  ExchangeRatePageDto,
  ExchangeRateQueryDto,
  PutExchangeRateDto,
} from './dto/exchange-rate.dto';
import { ExchangeRatesService } from './exchange-rates.service';

const currencyParam = ApiParam({ name: 'currency', example: 'EUR', description: 'ISO 4217 code' });
const dateParam = ApiParam({
  name: 'date',
  example: '2024-01-01',
  description: 'The date the rate is valid from (YYYY-MM-DD)',
});

@ApiTags('exchange-rates')
@Controller('exchange-rates')
export class ExchangeRatesController {
  constructor(private readonly rates: ExchangeRatesService) {}

  /** Dated rates to USD; an amount converts with the latest rate on or before its date. */
  @Get()
  @Authenticated()
  @ApiOkResponse({ type: ExchangeRatePageDto })
  @ApiBadRequestResponse({ description: 'Malformed filter' })
  list(@Query() query: ExchangeRateQueryDto) {
    return this.rates.list(query);
  }

  /** Sets (creates or replaces) the rate valid from a date (secretariat; audited). */
  @Put(':currency/:date')
  @Roles('secretariat')
  @currencyParam
  @dateParam
  @ApiOkResponse({ type: ExchangeRateDto })
  @ApiBadRequestResponse({
    description: 'Not an ISO 4217 code, not a date, or a rate ≤ 0 or ≥ 1e9',
  })
  @ApiConflictResponse({ description: 'USD is the base currency' })
  put(
    @CurrentPrincipal() principal: Principal,
    @Param('currency') currency: string,
    @Param('date') date: string,
    @Body() body: PutExchangeRateDto,
  ) {
    return this.rates.put(principal, currency, date, body);
  }

  /** Removes a rate (secretariat; audited). The USD base rate cannot be removed. */
  @Delete(':currency/:date')
  @HttpCode(204)
  @Roles('secretariat')
  @currencyParam
  @dateParam
  @ApiNoContentResponse()
  @ApiBadRequestResponse({ description: 'Not an ISO 4217 code or not a date' })
  @ApiNotFoundResponse()
  @ApiConflictResponse({ description: 'The USD base rate' })
  remove(@Param('currency') currency: string, @Param('date') date: string): Promise<void> {
    return this.rates.remove(currency, date);
  }
}
