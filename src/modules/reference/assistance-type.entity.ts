import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A form of assistance (legal, training, equipment, …). */
@Entity('assistance_type')
export class AssistanceType {
  @PrimaryColumn({ type: 'varchar', length: 32 })
  code: string;

  @Column({ type: 'text' })
  title: string;

  @Column({ type: 'integer' })
  sortOrder: number;
}
