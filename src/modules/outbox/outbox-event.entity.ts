import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** One change to a record people own, waiting to be (or already) published to the queue. */
@Entity({ name: 'outbox_event' })
export class OutboxEvent {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  /** `<entity>.<what happened>`, e.g. `need.published`, `offer.updated`. */
  @Column({ type: 'varchar', length: 80 })
  type: string;

  @Column({ type: 'varchar', length: 40 })
  entityType: string;

  @Column('uuid')
  entityId: string;

  /** The record's version after the change, so consumers can skip stale events. */
  @Column('int')
  version: number;

  @Column({ type: 'uuid', nullable: true })
  partyId: string | null;

  @Column({ type: 'varchar', length: 128, nullable: true })
  requestId: string | null;

  @Column({ type: 'timestamptz', default: () => 'clock_timestamp()' })
  createdAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  publishedAt: Date | null;
}
