import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ReferenceModule } from '../reference/reference.module';
import { Plan, PlanItem } from './plan.entity';
import { PlansController } from './plans.controller';
import { PlansService } from './plans.service';

/** National Action Plans and their ranked items. */
@Module({
  imports: [TypeOrmModule.forFeature([Plan, PlanItem]), ReferenceModule],
  controllers: [PlansController],
  providers: [PlansService],
  exports: [PlansService],
})
export class PlansModule {}
