import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { RegionalGroupCode } from '../../database/reference/regional-groups';

/** The six official UN languages, in the UN's order. */
export const UN_LANGUAGES = ['ar', 'zh', 'en', 'fr', 'ru', 'es'] as const;
export type UnLanguage = (typeof UN_LANGUAGES)[number];
export type CountryNames = Record<UnLanguage, string>;

/** A UN Member or observer State (reference data, written only by migrations). */
@Entity('country')
export class Country {
  /** ISO 3166-1 alpha-3, the platform's country key. */
  @PrimaryColumn({ type: 'char', length: 3 })
  alpha3: string;

  @Column({ type: 'char', length: 2, unique: true })
  alpha2: string;

  /** UN M49 numeric code, three digits. */
  @Column({ type: 'char', length: 3, unique: true })
  m49: string;

  @Column({ type: 'text' })
  region: string;

  @Column({ type: 'char', length: 3 })
  regionCode: string;

  @Column({ type: 'text' })
  subRegion: string;

  @Column({ type: 'char', length: 3 })
  subRegionCode: string;

  @Column({ type: 'text', nullable: true })
  intermediateRegion: string | null;

  @Column({ type: 'char', length: 3, nullable: true })
  intermediateRegionCode: string | null;

  @Column({ type: 'varchar', length: 16, nullable: true })
  regionalGroup: RegionalGroupCode | null;

  @Column({ type: 'text' })
  memberStatus: 'member' | 'observer';

  @Column({ type: 'jsonb' })
  names: CountryNames;
}
