import { Column, Entity, PrimaryColumn } from 'typeorm';

/** An international instrument that needs and offers cite (PoA, ITI, ATT). */
@Entity('framework')
export class Framework {
  @PrimaryColumn({ type: 'varchar', length: 16 })
  code: string;

  @Column({ type: 'text' })
  title: string;

  @Column({ type: 'smallint' })
  year: number;

  @Column({ type: 'integer' })
  sortOrder: number;
}
