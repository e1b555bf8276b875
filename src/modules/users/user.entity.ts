import {
  Column,
  CreateDateColumn,
  Entity,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
  VersionColumn,
} from 'typeorm';
import type { Role } from '../../common/access/roles';
import { Party } from '../parties/party.entity';

/** A person who signs in. Belongs to one party; deactivated, never deleted. */
@Entity({ name: 'app_user' })
export class User {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('uuid')
  partyId: string;

  @ManyToOne(() => Party)
  @JoinColumn({ name: 'party_id' })
  party?: Party;

  /** Stored lower-case; unique. */
  @Column({ type: 'varchar', length: 320 })
  email: string;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  @Column({ type: 'text', select: false })
  passwordHash: string;

  @Column({ type: 'text', array: true })
  roles: Role[];

  @Column({ type: 'boolean', default: true })
  active: boolean;

  /** Preferred UN language for e-mails and the console (ar, zh, en, fr, ru, es). */
  @Column({ type: 'varchar', length: 2, default: 'en' })
  language: string;

  /** TOTP secret, encrypted at rest (AES-256-GCM); null until enrolment starts. */
  @Column({ type: 'text', nullable: true, select: false })
  totpSecretEncrypted: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  totpEnabledAt: Date | null;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  passwordChangedAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  lastLoginAt: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;

  @VersionColumn()
  version: number;
}
