import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AssistanceType } from './assistance-type.entity';
import { ControlArea } from './control-area.entity';
import { Country } from './country.entity';
import { Framework } from './framework.entity';
import { M49Area } from './m49-area.entity';
import { ReferenceController } from './reference.controller';
import { ReferenceService } from './reference.service';
import { RegionalGroup } from './regional-group.entity';

/** Countries, M49 areas, regional groups and taxonomy codes: read-only, loaded by migration. */
@Module({
  imports: [
    TypeOrmModule.forFeature([
      Country,
      M49Area,
      RegionalGroup,
      ControlArea,
      AssistanceType,
      Framework,
    ]),
  ],
  controllers: [ReferenceController],
  providers: [ReferenceService],
  exports: [ReferenceService],
})
export class ReferenceModule {}
