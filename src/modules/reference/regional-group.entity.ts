import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { RegionalGroupCode } from '../../database/reference/regional-groups';

/** A UN regional group of Member States. */
@Entity('regional_group')
export class RegionalGroup {
  @PrimaryColumn({ type: 'varchar', length: 16 })
  code: RegionalGroupCode;

  @Column({ type: 'text' })
  name: string;
}
