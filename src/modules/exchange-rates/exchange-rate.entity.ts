import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** How many US dollars one unit of `currency` was worth from `rateDate` on (until a later rate). */
@Entity({ name: 'exchange_rate' })
export class ExchangeRate {
  @PrimaryColumn({ type: 'char', length: 3 })
  currency: string;

  /** `YYYY-MM-DD` (kept as a string: a calendar date, no time zone). */
  @PrimaryColumn({ type: 'date' })
  rateDate: string;

  /** numeric(20,10), as a decimal string (never a float). */
  @Column({ type: 'numeric', precision: 20, scale: 10 })
  usdPerUnit: string;

  @Column({ type: 'varchar', length: 200, nullable: true })
  source: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @Column({ type: 'uuid', nullable: true })
  createdBy: string | null;
}
