import { Global, Module } from '@nestjs/common';
import { ExchangeRatesImportService } from './exchange-rates-import.service';
import { ExchangeRatesController } from './exchange-rates.controller';
import { ExchangeRatesService } from './exchange-rates.service';

/** Dated exchange rates to USD; any module converts amounts through ExchangeRatesService. */
@Global()
@Module({
  controllers: [ExchangeRatesController],
  providers: [ExchangeRatesService, ExchangeRatesImportService],
  exports: [ExchangeRatesService, ExchangeRatesImportService],
})
export class ExchangeRatesModule {}
