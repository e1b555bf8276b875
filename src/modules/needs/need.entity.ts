import {
  Column,
  CreateDateColumn,
  Entity,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import type { UnLanguage } from '../reference/country.entity';
import type { NeedStatus } from './need-lifecycle';
import type { NeedVisibility } from './need-visibility';

export const NEED_PRIORITIES = ['high', 'medium', 'low'] as const;
export type NeedPriority = (typeof NEED_PRIORITIES)[number];

/** A State's declared need for assistance (resolution 62/47, para. 11). */
@Entity({ name: 'need' })
export class Need {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** The requesting State's party. */
  @Column('uuid')
  partyId: string;

  /** ISO alpha-3 of the requesting State (copied from its party). */
  @Column({ type: 'char', length: 3 })
  countryCode: string;

  @Column({ type: 'varchar', length: 200 })
  title: string;

  @Column({ type: 'text' })
  description: string;

  @Column({ type: 'varchar', length: 2 })
  language: UnLanguage;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  controlAreas: string[];

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  assistanceTypes: string[];

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  frameworks: string[];

  @Column({ type: 'varchar', length: 8 })
  priority: NeedPriority;

  @Column({ type: 'int', nullable: true })
  rank: number | null;

  /** numeric(18,2), as the driver returns it (a string). */
  @Column({ type: 'numeric', precision: 18, scale: 2 })
  estimatedAmount: string;

  @Column({ type: 'char', length: 3 })
  estimatedCurrency: string;

  @Column({ type: 'numeric', precision: 18, scale: 2 })
  estimatedUsd: string;

  /** USD per unit of the currency used for `estimatedUsd`. */
  @Column({ type: 'numeric', precision: 20, scale: 10 })
  usdRate: string;

  /** The date of the exchange rate applied (YYYY-MM-DD). */
  @Column({ type: 'date' })
  rateDate: string;

  /** Sum of commitments in USD (kept by the review issue's commit step). */
  @Column({ type: 'numeric', precision: 18, scale: 2, default: 0 })
  coveredUsd: string;

  @Column({ type: 'date', nullable: true })
  earliestStart: string | null;

  @Column({ type: 'date' })
  neededBy: string;

  @Column({ type: 'varchar', length: 12 })
  visibility: NeedVisibility;

  @Column({ type: 'uuid', nullable: true })
  planItemId: string | null;

  @Column({ type: 'varchar', length: 300, nullable: true })
  location: string | null;

  @Column({ type: 'varchar', length: 300, nullable: true })
  implementer: string | null;

  @Column({ type: 'varchar', length: 20, default: 'draft' })
  status: NeedStatus;

  /** The secretariat's note when it returned the need to draft. */
  @Column({ type: 'text', nullable: true })
  statusNote: string | null;

  /** True when the secretariat filed the need on the State's behalf. */
  @Column({ type: 'boolean', default: false })
  filedOnBehalf: boolean;

  /**
   * Consent before circulation, for a need filed on the State's behalf: null (not needed),
   * `pending` (seen only by the State and the secretariat until consent or the deadline),
   * `given`, `no_objection` (deadline passed) or `objected` (the need is withdrawn).
   */
  @Column({ type: 'varchar', length: 12, nullable: true })
  consentStatus: 'pending' | 'given' | 'no_objection' | 'objected' | null;

  /** End of the no-objection period (publication + N working days). */
  @Column({ type: 'timestamptz', nullable: true })
  consentDeadline: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  consentAt: Date | null;

  /** The State's note when it objected. */
  @Column({ type: 'text', nullable: true })
  consentNote: string | null;

  @Column({ type: 'uuid', nullable: true })
  createdBy: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  submittedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  publishedAt: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;

  /** The importer's stable reference of the row it came from (unique per party); null when not imported. */
  @Column({ type: 'varchar', length: 100, nullable: true })
  externalRef: string | null;

  /** Counts changes made by people; incremented by the service on each. */
  @Column({ type: 'int', default: 1 })
  version: number;
}
