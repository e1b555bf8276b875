import {
  Column,
  CreateDateColumn,
  Entity,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import type { Components } from './engine/types';
import { COMPONENTS_COLUMN, RULES_COLUMN } from './suggestion-columns';

export const MATCH_STATUSES = [
  'suggested',
  'shortlisted',
  'proposed',
  'agreed',
  'committed',
  'in_delivery',
  'delivered',
  'closed',
  'declined',
] as const;
export type MatchStatus = (typeof MATCH_STATUSES)[number];

/**
 * One (need, offer) pair the engine proposes, with its score, components, the rules it
 * passed and a plain-language explanation. Re-scoring updates these but never what people
 * did (status, version); a pair that became ineligible after someone acted on it is kept
 * with `eligible = false`.
 */
@Entity({ name: 'match_suggestion' })
export class MatchSuggestion {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid') needId: string;
  @Column('uuid') offerId: string;
  @Column('uuid') needPartyId: string;
  @Column('uuid') offerPartyId: string;
  @Column({ type: 'numeric', precision: 5, scale: 4 }) score: string;
  /** Stored compactly (`suggestion-columns.ts`): ten-thousandths, and rule bit masks. */
  @Column({ type: 'smallint', array: true, transformer: COMPONENTS_COLUMN })
  components: Components;
  @Column({ type: 'smallint', transformer: RULES_COLUMN }) rulesPassed: string[];
  @Column({ type: 'smallint', transformer: RULES_COLUMN }) rulesFailed: string[];
  @Column('text') explanation: string;
  @Column('boolean') eligible: boolean;
  @Column('boolean') partial: boolean;
  @Column('boolean') inNeedTop: boolean;
  @Column('boolean') inOfferTop: boolean;
  @Column({ type: 'varchar', length: 20 }) status: MatchStatus;
  /** Changes made by people; re-scoring leaves it alone. */
  @Column('int') version: number;
  @Column('int') needVersion: number;
  @Column('int') offerVersion: number;
  /** When the need's State and the offer's donor expressed interest (review workflow). */
  @Column({ type: 'timestamptz', nullable: true }) stateInterestAt: Date | null;
  @Column({ type: 'timestamptz', nullable: true }) donorInterestAt: Date | null;
  @Column({ type: 'varchar', length: 16, nullable: true }) declineReasonCode: string | null;
  @Column({ type: 'text', nullable: true }) declineNote: string | null;
  @Column({ type: 'varchar', length: 12, nullable: true }) declinedBy: string | null;
  @Column({ type: 'timestamptz' }) computedAt: Date;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
}
