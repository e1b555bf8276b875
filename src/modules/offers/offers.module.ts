import { Module } from '@nestjs/common';
import { ReferenceModule } from '../reference/reference.module';
import { OffersController } from './offers.controller';
import { OffersService } from './offers.service';

/** Donors' capacity offers (ExchangeRatesModule, AuditModule and OutboxModule are global). */
@Module({
  imports: [ReferenceModule],
  controllers: [OffersController],
  providers: [OffersService],
  exports: [OffersService],
})
export class OffersModule {}
