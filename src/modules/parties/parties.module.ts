import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ReferenceModule } from '../reference/reference.module';
import { PartiesController } from './parties.controller';
import { PartiesService } from './parties.service';
import { PartyContact } from './party-contact.entity';
import { Party } from './party.entity';

@Module({
  imports: [TypeOrmModule.forFeature([Party, PartyContact]), ReferenceModule],
  controllers: [PartiesController],
  providers: [PartiesService],
  exports: [PartiesService],
})
export class PartiesModule {}
