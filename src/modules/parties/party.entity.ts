import {
  Column,
  CreateDateColumn,
  Entity,
  OneToMany,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
  VersionColumn,
} from 'typeorm';
import type { PartyType } from '../../common/access/roles';
import { PartyContact } from './party-contact.entity';

/** A State, an international or regional organisation, a trust fund or an NGO. */
@Entity({ name: 'party' })
export class Party {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: 32 })
  type: PartyType;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  /** ISO alpha-3 of the reference country; set for States only. */
  @Column({ type: 'char', length: 3, nullable: true })
  countryCode: string | null;

  @Column({ type: 'varchar', length: 32, nullable: true })
  acronym: string | null;

  @Column({ type: 'boolean', default: true })
  active: boolean;

  @OneToMany(() => PartyContact, (c) => c.party)
  contacts?: PartyContact[];

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;

  @VersionColumn()
  version: number;
}
