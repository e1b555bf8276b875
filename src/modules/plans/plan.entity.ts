import {
  Column,
  CreateDateColumn,
  Entity,
  JoinColumn,
  ManyToOne,
  OneToMany,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';

export const PLAN_STATUSES = ['draft', 'adopted', 'under_revision', 'closed'] as const;
export type PlanStatus = (typeof PLAN_STATUSES)[number];

/** A State's National Action Plan on SALW (resolution 62/47, para. 11). */
@Entity({ name: 'national_action_plan' })
export class Plan {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('uuid')
  partyId: string;

  @Column({ type: 'char', length: 3 })
  countryCode: string;

  @Column({ type: 'varchar', length: 200 })
  title: string;

  @Column({ type: 'date' })
  periodStart: string;

  @Column({ type: 'date' })
  periodEnd: string;

  @Column({ type: 'varchar', length: 300 })
  coordinatingBody: string;

  @Column({ type: 'varchar', length: 20, default: 'draft' })
  status: PlanStatus;

  @Column({ type: 'uuid', nullable: true })
  createdBy: string | null;

  @OneToMany(() => PlanItem, (i) => i.plan)
  items?: PlanItem[];

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;

  /** The importer's stable reference of the row it came from (unique per party); null when not imported. */
  @Column({ type: 'varchar', length: 100, nullable: true })
  externalRef: string | null;

  @Column({ type: 'int', default: 1 })
  version: number;
}

/** One ranked line of a plan, tagged with control areas; needs may link to it. */
@Entity({ name: 'plan_item' })
export class PlanItem {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('uuid')
  planId: string;

  @ManyToOne(() => Plan, (p) => p.items, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'plan_id' })
  plan?: Plan;

  @Column({ type: 'varchar', length: 300 })
  title: string;

  @Column({ type: 'int' })
  rank: number;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  controlAreas: string[];
}
