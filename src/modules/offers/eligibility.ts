import type { Country } from '../reference/country.entity';
import type { ReferenceCatalog } from '../reference/reference.service';

export interface Eligibility {
  /** M49 codes, any level. */
  regions: string[];
  /** Regional group codes. */
  groups: string[];
  /** ISO alpha-3 codes. */
  countries: string[];
  /** ISO alpha-3 codes never eligible. */
  excludeCountries: string[];
}

export type EligibilityField = keyof Eligibility;

export interface ResolvedEligibility {
  eligibility: Eligibility;
  /** Per field, the given values that are not recognised (fields without any are absent). */
  unknown: Partial<Record<EligibilityField, string[]>>;
}

/** A country by alpha-2, alpha-3, M49 code or English name (any case). */
export function resolveCountry(catalog: ReferenceCatalog, value: string): Country | undefined {
  const byCode = catalog.findCountry(value);
  if (byCode) return byCode;
  const name = value.trim().toLowerCase();
  return catalog.countries.find((c) => c.names.en.toLowerCase() === name);
}

const unique = (values: string[]) => [...new Set(values)];

/**
 * Stored form of eligibility: M49 codes for regions (names or codes, any level), group codes,
 * alpha-3 for countries (alpha-2, alpha-3, M49 or English name); unknown values reported.
 */
export function resolveEligibility(
  catalog: ReferenceCatalog,
  input: Partial<Record<EligibilityField, string[]>> = {},
): ResolvedEligibility {
  const unknown: ResolvedEligibility['unknown'] = {};
  const resolve = (field: EligibilityField, lookup: (v: string) => string | undefined) => {
    const out: string[] = [];
    const bad: string[] = [];
    for (const value of input[field] ?? []) {
      const code = lookup(value);
      if (code) out.push(code);
      else bad.push(value);
    }
    if (bad.length) unknown[field] = unique(bad);
    return unique(out);
  };
  const eligibility: Eligibility = {
    regions: resolve('regions', (v) => catalog.resolveRegion(v)?.code),
    groups: resolve('groups', (v) => catalog.resolveGroup(v)?.code),
    countries: resolve('countries', (v) => resolveCountry(catalog, v)?.alpha3),
    excludeCountries: resolve('excludeCountries', (v) => resolveCountry(catalog, v)?.alpha3),
  };
  return { eligibility, unknown };
}

/** The M49 codes a country lies in (region, sub-region and intermediate region). */
export function regionCodesOf(country: Country): string[] {
  return [country.regionCode, country.subRegionCode, country.intermediateRegionCode].filter(
    (c): c is string => !!c,
  );
}

/**
 * Whether a State is eligible: not excluded, and either no positive criterion is set (every
 * State) or its region, group or itself is named. The list filter `state` applies the same rule in SQL.
 */
export function isEligible(eligibility: Eligibility, country: Country): boolean {
  if (eligibility.excludeCountries.includes(country.alpha3)) return false;
  const { regions, groups, countries } = eligibility;
  if (!regions.length && !groups.length && !countries.length) return true;
  return (
    regionCodesOf(country).some((c) => regions.includes(c)) ||
    (!!country.regionalGroup && groups.includes(country.regionalGroup)) ||
    countries.includes(country.alpha3)
  );
}
