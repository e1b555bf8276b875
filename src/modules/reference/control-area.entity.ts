import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { ControlAreaKind } from '../../database/reference/taxonomy';

/** A MOSAIC series or module, or a platform area (AMMO, BRK, REP). */
@Entity('control_area')
export class ControlArea {
  @PrimaryColumn({ type: 'varchar', length: 16 })
  code: string;

  @Column({ type: 'text' })
  kind: ControlAreaKind;

  /** The parent series code of a module; null for series and platform areas. */
  @Column({ type: 'varchar', length: 16, nullable: true })
  series: string | null;

  @Column({ type: 'text' })
  title: string;

  @Column({ type: 'integer' })
  sortOrder: number;
}
