import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { AppException } from '../../common/errors';
import { AssistanceType } from './assistance-type.entity';
import { ControlArea } from './control-area.entity';
import { Country, UN_LANGUAGES, UnLanguage } from './country.entity';
import { Framework } from './framework.entity';
import { M49Area } from './m49-area.entity';
import { RegionalGroup } from './regional-group.entity';

/** The kinds of code that needs, offers and list filters refer to. */
export type ReferenceKind =
  'area' | 'assistanceType' | 'framework' | 'country' | 'region' | 'group';

export interface ReferenceRows {
  countries: Country[];
  m49Areas: M49Area[];
  regionalGroups: RegionalGroup[];
  controlAreas: ControlArea[];
  assistanceTypes: AssistanceType[];
  frameworks: Framework[];
}

export interface CountryFilter {
  /** Any M49 level: English name (case-insensitive) or three-digit code. */
  region?: string;
  /** Regional group code (case-insensitive). */
  group?: string;
}

export function isUnLanguage(value: string): value is UnLanguage {
  return (UN_LANGUAGES as readonly string[]).includes(value);
}

const byOrder = <T extends { sortOrder: number; code: string }>(a: T, b: T) =>
  a.sortOrder - b.sortOrder || a.code.localeCompare(b.code);

/**
 * An immutable, indexed snapshot of the reference tables with synchronous look-ups.
 * Codes of control areas, assistance types and frameworks match exactly (they are stored
 * as given); countries, regions and groups match case-insensitively, and `canonicalCode`
 * gives the form to store.
 */
export class ReferenceCatalog {
  readonly countries: readonly Country[];
  readonly m49Areas: readonly M49Area[];
  readonly regionalGroups: readonly RegionalGroup[];
  readonly controlAreas: readonly ControlArea[];
  readonly assistanceTypes: readonly AssistanceType[];
  readonly frameworks: readonly Framework[];

  private readonly countryByKey = new Map<string, Country>();
  private readonly areaByKey = new Map<string, M49Area>();
  private readonly groupByKey = new Map<string, RegionalGroup>();
  private readonly controlAreaByCode = new Map<string, ControlArea>();
  private readonly assistanceTypeCodes: ReadonlySet<string>;
  private readonly frameworkCodes: ReadonlySet<string>;

  constructor(rows: ReferenceRows) {
    this.countries = [...rows.countries].sort((a, b) => a.alpha3.localeCompare(b.alpha3));
    this.m49Areas = [...rows.m49Areas].sort((a, b) => a.code.localeCompare(b.code));
    this.regionalGroups = [...rows.regionalGroups].sort((a, b) => a.code.localeCompare(b.code));
    this.controlAreas = [...rows.controlAreas].sort(byOrder);
    this.assistanceTypes = [...rows.assistanceTypes].sort(byOrder);
    this.frameworks = [...rows.frameworks].sort(byOrder);
    for (const c of this.countries) {
      for (const key of [c.alpha3, c.alpha2, c.m49]) this.countryByKey.set(key.toUpperCase(), c);
    }
    for (const a of this.m49Areas) {
      this.areaByKey.set(a.code, a);
      this.areaByKey.set(a.name.toLowerCase(), a);
    }
    for (const g of this.regionalGroups) this.groupByKey.set(g.code.toUpperCase(), g);
    for (const a of this.controlAreas) this.controlAreaByCode.set(a.code, a);
    this.assistanceTypeCodes = new Set(this.assistanceTypes.map((t) => t.code));
    this.frameworkCodes = new Set(this.frameworks.map((f) => f.code));
  }

  /** By alpha-2, alpha-3 or M49 code, any case. */
  findCountry(code: string): Country | undefined {
    return this.countryByKey.get(code.trim().toUpperCase());
  }

  /** An M49 area of any level, by English name (any case) or three-digit code. */
  resolveRegion(value: string): M49Area | undefined {
    const key = value.trim();
    return /^\d{3}$/.test(key) ? this.areaByKey.get(key) : this.areaByKey.get(key.toLowerCase());
  }

  /** M49 codes for region names or codes; unknown values are left out (see `unknownCodes`). */
  resolveRegionCodes(values: readonly string[]): string[] {
    const codes = values.map((v) => this.resolveRegion(v)?.code).filter((c): c is string => !!c);
    return [...new Set(codes)];
  }

  resolveGroup(value: string): RegionalGroup | undefined {
    return this.groupByKey.get(value.trim().toUpperCase());
  }

  /** Whether a country lies in the M49 area `m49Code`, at any level. */
  countryInRegion(country: Country, m49Code: string): boolean {
    return (
      country.regionCode === m49Code ||
      country.subRegionCode === m49Code ||
      country.intermediateRegionCode === m49Code
    );
  }

  /** Countries matching every given filter, sorted by alpha-3; `undefined` for an unknown value. */
  filterCountries(filter: CountryFilter): Country[] | undefined {
    let rows = [...this.countries];
    if (filter.region !== undefined) {
      const area = this.resolveRegion(filter.region);
      if (!area) return undefined;
      rows = rows.filter((c) => this.countryInRegion(c, area.code));
    }
    if (filter.group !== undefined) {
      const group = this.resolveGroup(filter.group);
      if (!group) return undefined;
      rows = rows.filter((c) => c.regionalGroup === group.code);
    }
    return rows;
  }

  /**
   * The stored form of a code: alpha-3 for a country (given as alpha-2, alpha-3 or M49),
   * the M49 code for a region (name or code), the upper-case code for a group, the exact
   * code for the rest; `undefined` when not recognised.
   */
  canonicalCode(kind: ReferenceKind, value: string): string | undefined {
    if (typeof value !== 'string') return undefined;
    switch (kind) {
      case 'area':
        return this.controlAreaByCode.has(value) ? value : undefined;
      case 'assistanceType':
        return this.assistanceTypeCodes.has(value) ? value : undefined;
      case 'framework':
        return this.frameworkCodes.has(value) ? value : undefined;
      case 'country':
        return this.findCountry(value)?.alpha3;
      case 'region':
        return this.resolveRegion(value)?.code;
      case 'group':
        return this.resolveGroup(value)?.code;
    }
  }

  /** The values (in input order, without repeats) that are not recognised codes of `kind`. */
  unknownCodes(kind: ReferenceKind, values: readonly string[]): string[] {
    return [...new Set(values.filter((v) => this.canonicalCode(kind, v) === undefined))];
  }

  /** A series → itself and its modules; a module or platform area → itself; unknown → []. */
  expandControlArea(code: string): string[] {
    const area = this.controlAreaByCode.get(code);
    if (!area) return [];
    if (area.kind !== 'series') return [area.code];
    return [
      area.code,
      ...this.controlAreas.filter((a) => a.series === area.code).map((a) => a.code),
    ];
  }

  /** Expands several codes, keeping the first occurrence of each. */
  expandControlAreas(codes: readonly string[]): string[] {
    return [...new Set(codes.flatMap((c) => this.expandControlArea(c)))];
  }
}

/** Reads the reference tables once and answers from memory afterwards (they change only by migration). */
@Injectable()
export class ReferenceService {
  private loading?: Promise<ReferenceCatalog>;

  constructor(
    @InjectRepository(Country) private readonly countries: Repository<Country>,
    @InjectRepository(M49Area) private readonly m49Areas: Repository<M49Area>,
    @InjectRepository(RegionalGroup) private readonly regionalGroups: Repository<RegionalGroup>,
    @InjectRepository(ControlArea) private readonly controlAreas: Repository<ControlArea>,
    @InjectRepository(AssistanceType) private readonly assistanceTypes: Repository<AssistanceType>,
    @InjectRepository(Framework) private readonly frameworks: Repository<Framework>,
  ) {}

  /** The loaded catalogue; the first call reads the database, later calls share the result. */
  catalog(): Promise<ReferenceCatalog> {
    this.loading ??= this.load().catch((error: unknown) => {
      // A failed first read (database briefly down) must not poison every later call.
      this.loading = undefined;
      throw error;
    });
    return this.loading;
  }

  private async load(): Promise<ReferenceCatalog> {
    const [countries, m49Areas, regionalGroups, controlAreas, assistanceTypes, frameworks] =
      await Promise.all([
        this.countries.find(),
        this.m49Areas.find(),
        this.regionalGroups.find(),
        this.controlAreas.find(),
        this.assistanceTypes.find(),
        this.frameworks.find(),
      ]);
    return new ReferenceCatalog({
      countries,
      m49Areas,
      regionalGroups,
      controlAreas,
      assistanceTypes,
      frameworks,
    });
  }

  /**
   * Countries filtered by region (any M49 level, name or code) and regional group.
   * An unknown filter value answers 400 UNKNOWN_FILTER_VALUE naming the parameter.
   */
  async listCountries(filter: CountryFilter = {}): Promise<Country[]> {
    const catalog = await this.catalog();
    if (filter.region !== undefined && !catalog.resolveRegion(filter.region)) {
      throw unknownFilterValue(
        'region',
        filter.region,
        'an M49 region, sub-region or intermediate region name or code',
      );
    }
    if (filter.group !== undefined && !catalog.resolveGroup(filter.group)) {
      throw unknownFilterValue(
        'group',
        filter.group,
        `one of ${catalog.regionalGroups.map((g) => g.code).join(', ')}`,
      );
    }
    return catalog.filterCountries(filter) ?? [];
  }

  /** By alpha-2, alpha-3 or M49 code, any case. */
  async findCountry(code: string): Promise<Country | undefined> {
    return (await this.catalog()).findCountry(code);
  }

  async resolveRegion(value: string): Promise<M49Area | undefined> {
    return (await this.catalog()).resolveRegion(value);
  }

  /** M49 codes for region names or codes (unknown values left out). */
  async resolveRegionCodes(values: readonly string[]): Promise<string[]> {
    return (await this.catalog()).resolveRegionCodes(values);
  }

  /** The values not recognised as codes of `kind` (empty when all are known). */
  async unknownCodes(kind: ReferenceKind, values: readonly string[]): Promise<string[]> {
    return (await this.catalog()).unknownCodes(kind, values);
  }

  async canonicalCode(kind: ReferenceKind, value: string): Promise<string | undefined> {
    return (await this.catalog()).canonicalCode(kind, value);
  }

  /** A series → itself and its modules; a module → itself; unknown → []. */
  async expandControlArea(code: string): Promise<string[]> {
    return (await this.catalog()).expandControlArea(code);
  }

  async controlAreaList(series?: string): Promise<ControlArea[]> {
    const catalog = await this.catalog();
    if (series === undefined) return [...catalog.controlAreas];
    const parent = catalog.controlAreas.find((a) => a.code === series && a.kind === 'series');
    if (!parent) {
      const known = catalog.controlAreas.filter((a) => a.kind === 'series').map((a) => a.code);
      throw unknownFilterValue('series', series, `one of ${known.join(', ')}`);
    }
    return catalog.controlAreas.filter((a) => a.series === parent.code);
  }

  /** The country's name in `lang`, falling back to English. */
  countryName(row: Pick<Country, 'names'>, lang: UnLanguage = 'en'): string {
    return row.names[lang] || row.names.en;
  }
}

/** 400 UNKNOWN_FILTER_VALUE naming the query parameter and the value. */
export function unknownFilterValue(
  parameter: string,
  value: string,
  expected: string,
): AppException {
  return new AppException('UNKNOWN_FILTER_VALUE', `Unknown ${parameter} "${value}"`, [
    {
      field: parameter,
      messages: [`${parameter} "${value}" is not recognised: expected ${expected}`],
    },
  ]);
}
