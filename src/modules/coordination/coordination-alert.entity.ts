import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

export const ALERT_KINDS = ['over_commitment', 'donor_overlap', 'envelope_exceeded'] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

/**
 * A coordination problem the worker found in the commitments: a need committed beyond its
 * cost, several donors funding the same State and control area in overlapping periods, or an
 * offer committed beyond its envelope. One row per condition (unique `dedupeKey`).
 */
@Entity({ name: 'coordination_alert' })
export class CoordinationAlert {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('text') kind: AlertKind;
  /** Names the condition, e.g. `over_commitment:need:<id>`; unique. */
  @Column('text') dedupeKey: string;
  /** One English sentence naming the State, area, donors and amounts. */
  @Column('text') summary: string;
  @Column({ type: 'uuid', nullable: true }) needId: string | null;
  @Column({ type: 'uuid', nullable: true }) offerId: string | null;
  /** The State concerned (null for an offer's envelope, which may span States). */
  @Column({ type: 'uuid', nullable: true }) partyId: string | null;
  /** Every need the alert is about (a donor sees the alert only if it may see them all). */
  @Column({ type: 'uuid', array: true }) needIds: string[];
  /** The donors whose offers are involved (they see the alert). */
  @Column({ type: 'uuid', array: true }) donorPartyIds: string[];
  @Column({ type: 'jsonb' }) details: Record<string, unknown>;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @Column({ type: 'timestamptz', nullable: true }) acknowledgedAt: Date | null;
  /** The user (or API key) that acknowledged it. */
  @Column({ type: 'uuid', nullable: true }) acknowledgedBy: string | null;
  @Column({ type: 'text', nullable: true }) acknowledgeNote: string | null;
}
