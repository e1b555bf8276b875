import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { PlansModule } from '../plans/plans.module';
import { ReferenceModule } from '../reference/reference.module';
import { Need } from './need.entity';
import { NeedsController } from './needs.controller';
import { NeedsService } from './needs.service';

/** States' declared needs: records, lifecycle, versions and visibility. */
@Module({
  imports: [TypeOrmModule.forFeature([Need]), ReferenceModule, PlansModule],
  controllers: [NeedsController],
  providers: [NeedsService],
  exports: [NeedsService],
})
export class NeedsModule {}
