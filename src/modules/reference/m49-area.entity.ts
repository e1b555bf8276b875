import { Column, Entity, PrimaryColumn } from 'typeorm';

export type M49Level = 'region' | 'sub_region' | 'intermediate_region';
export const M49_LEVELS: readonly M49Level[] = ['region', 'sub_region', 'intermediate_region'];

/** A UN M49 region, sub-region or intermediate region that some country belongs to. */
@Entity('m49_area')
export class M49Area {
  /** Three-digit M49 code. */
  @PrimaryColumn({ type: 'char', length: 3 })
  code: string;

  /** The M49 English name. */
  @Column({ type: 'text', unique: true })
  name: string;

  @Column({ type: 'text' })
  level: M49Level;

  /** The enclosing area; null for a region (whose parent, World, is not stored). */
  @Column({ type: 'char', length: 3, nullable: true })
  parentCode: string | null;
}
