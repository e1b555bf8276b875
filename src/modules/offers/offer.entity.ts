import {
  Column,
  CreateDateColumn,
  Entity,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import type { OfferStatus } from './offer-lifecycle';

export const OFFER_MODALITIES = ['bilateral', 'trust_fund', 'experts', 'equipment'] as const;
export type OfferModality = (typeof OFFER_MODALITIES)[number];

/**
 * Capacity a party offers. Amounts are numeric decimal strings; `committedUsd` is filled by
 * commitments, and `remaining_usd` is a stored generated column (total − committed).
 */
@Entity({ name: 'offer' })
export class Offer {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  partyId: string;

  @Column({ type: 'varchar', length: 200 })
  title: string;

  @Column({ type: 'text' })
  description: string;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  controlAreas: string[];

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  assistanceTypes: string[];

  /** M49 codes (any level). */
  @Column({ type: 'text', array: true, default: () => "'{}'" })
  eligibilityRegions: string[];

  /** Regional group codes. */
  @Column({ type: 'text', array: true, default: () => "'{}'" })
  eligibilityGroups: string[];

  /** ISO alpha-3 codes. */
  @Column({ type: 'text', array: true, default: () => "'{}'" })
  eligibilityCountries: string[];

  /** ISO alpha-3 codes never eligible. */
  @Column({ type: 'text', array: true, default: () => "'{}'" })
  excludeCountries: string[];

  @Column({ type: 'numeric', precision: 20, scale: 2 })
  budgetTotal: string;

  @Column({ type: 'char', length: 3 })
  budgetCurrency: string;

  @Column({ type: 'numeric', precision: 20, scale: 2, nullable: true })
  minPerProject: string | null;

  @Column({ type: 'numeric', precision: 20, scale: 2, nullable: true })
  maxPerProject: string | null;

  @Column({ type: 'numeric', precision: 20, scale: 2 })
  totalUsd: string;

  /** The date of the exchange rate used for `totalUsd`. */
  @Column({ type: 'date' })
  rateDate: string;

  @Column({ type: 'numeric', precision: 20, scale: 2, default: 0 })
  committedUsd: string;

  @Column({ type: 'date' })
  startDate: string;

  @Column({ type: 'date' })
  endDate: string;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  languages: string[];

  @Column({ type: 'varchar', length: 16 })
  modality: OfferModality;

  @Column({ type: 'varchar', length: 5000, nullable: true })
  conditions: string | null;

  @Column({ type: 'varchar', length: 16, default: 'draft' })
  status: OfferStatus;

  @Column({ type: 'uuid', nullable: true })
  createdBy: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;

  /** The importer's stable reference of the row it came from (unique per party); null when not imported. */
  @Column({ type: 'varchar', length: 100, nullable: true })
  externalRef: string | null;

  /** Counts changes made by people; incremented explicitly by the service. */
  @Column({ type: 'integer', default: 1 })
  version: number;
}
