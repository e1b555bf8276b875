import { ApiProperty } from '@nestjs/swagger';
import { REGIONAL_GROUP_CODES } from '../../../database/reference/regional-groups';

export class ControlAreaDto {
  @ApiProperty({
    description: 'Stable code: MOSAIC series (`05`), module (`05.30`) or platform area (`AMMO`)',
    example: '05.30',
  })
  code: string;

  @ApiProperty({ enum: ['series', 'module', 'platform'], example: 'module' })
  kind: string;

  @ApiProperty({
    description: 'Parent series of a module; null otherwise',
    type: String,
    nullable: true,
    example: '05',
  })
  series: string | null;

  @ApiProperty({ example: 'Marking and recordkeeping' })
  title: string;
}

export class ControlAreaListDto {
  @ApiProperty({ type: [ControlAreaDto] })
  items: ControlAreaDto[];
}

export class AssistanceTypeDto {
  @ApiProperty({ example: 'training' })
  code: string;

  @ApiProperty({ example: 'Training' })
  title: string;
}

export class AssistanceTypeListDto {
  @ApiProperty({ type: [AssistanceTypeDto] })
  items: AssistanceTypeDto[];
}

export class FrameworkDto {
  @ApiProperty({ example: 'ATT' })
  code: string;

  @ApiProperty({ example: 'Arms Trade Treaty' })
  title: string;

  @ApiProperty({ description: 'Year of adoption', example: 2013 })
  year: number;
}

export class FrameworkListDto {
  @ApiProperty({ type: [FrameworkDto] })
  items: FrameworkDto[];
}

export class M49AreaDto {
  @ApiProperty({ description: 'UN M49 three-digit code', example: '011' })
  code: string;

  @ApiProperty({ description: 'M49 English name', example: 'Western Africa' })
  name: string;

  @ApiProperty({
    enum: ['region', 'sub_region', 'intermediate_region'],
    example: 'intermediate_region',
  })
  level: string;

  @ApiProperty({
    description: 'Enclosing area; null for a region',
    type: String,
    nullable: true,
    example: '202',
  })
  parentCode: string | null;
}

export class RegionalGroupDto {
  @ApiProperty({ enum: REGIONAL_GROUP_CODES, example: 'AFRICAN' })
  code: string;

  @ApiProperty({ example: 'African Group' })
  name: string;
}

export class RegionsDto {
  @ApiProperty({ type: [M49AreaDto], description: 'Every M49 area that some country belongs to' })
  items: M49AreaDto[];

  @ApiProperty({ type: [RegionalGroupDto], description: 'The UN regional groups' })
  groups: RegionalGroupDto[];
}
