import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A donor's commitment on an agreed match: money for one need from one offer. */
@Entity({ name: 'commitment' })
export class Commitment {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid') matchId: string;
  @Column('uuid') needId: string;
  @Column('uuid') offerId: string;
  /** numeric(18,2) as a decimal string. */
  @Column({ type: 'numeric', precision: 18, scale: 2 }) amount: string;
  @Column({ type: 'char', length: 3 }) currency: string;
  /** The amount in USD at the rate of the commitment date. */
  @Column({ type: 'numeric', precision: 18, scale: 2 }) amountUsd: string;
  @Column({ type: 'numeric', precision: 20, scale: 10 }) usdRate: string;
  @Column({ type: 'date' }) rateDate: string;
  @Column({ type: 'varchar', length: 300 }) implementer: string;
  @Column({ type: 'date' }) startDate: string;
  @Column({ type: 'date' }) endDate: string;
  /** Beyond the need's uncovered cost or the offer's envelope, confirmed by the secretariat. */
  @Column({ type: 'boolean', default: false }) overCommitment: boolean;
  @Column({ type: 'uuid', nullable: true }) createdBy: string | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
}
