import {
  Column,
  CreateDateColumn,
  Entity,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
} from 'typeorm';
import { Party } from './party.entity';

/**
 * Contact roles: the national points of contact for the Programme of Action and for the
 * International Tracing Instrument (resolution 62/47, paragraph 2), and others.
 */
export const CONTACT_ROLES = [
  'poa_point_of_contact',
  'iti_point_of_contact',
  'att_point_of_contact',
  'assistance_focal_point',
  'other',
] as const;
export type ContactRole = (typeof CONTACT_ROLES)[number];

@Entity({ name: 'party_contact' })
export class PartyContact {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('uuid')
  partyId: string;

  @ManyToOne(() => Party, (p) => p.contacts, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'party_id' })
  party?: Party;

  @Column({ type: 'varchar', length: 40 })
  role: ContactRole;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  @Column({ type: 'varchar', length: 200, nullable: true })
  title: string | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  organisation: string | null;

  @Column({ type: 'varchar', length: 320, nullable: true })
  email: string | null;

  @Column({ type: 'varchar', length: 50, nullable: true })
  phone: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
