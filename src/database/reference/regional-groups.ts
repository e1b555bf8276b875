/**
 * United Nations regional groups of Member States, by ISO 3166-1 alpha-3 code.
 *
 * Source: UN Department for General Assembly and Conference Management (DGACM),
 * "United Nations Regional Groups of Member States",
 * https://www.un.org/dgacm/en/content/regional-groups — cross-checked against the
 * `unRegionalGroup` field of the `world-countries` npm package (src/modules/reference tests
 * repeat that cross-check; the only difference is Kiribati, see below).
 *
 * The official page lists: African States 54, Asia-Pacific States 53, Eastern European
 * States 23, Latin American and Caribbean States 33, Western European and other States 28
 * (Türkiye included), i.e. 191 members, plus:
 * - the United States of America, not a member of any group, attends WEOG as an observer
 *   and is considered a member of WEOG for electoral purposes: counted in WEOG here;
 * - Türkiye participates fully in both WEOG and the Asia-Pacific Group but, for electoral
 *   purposes, is considered a member of WEOG only: counted in WEOG only (not in APG's 53);
 * - Israel is a full member of WEOG (since 2000, initially on a temporary basis);
 * - Kiribati is not a member of any regional group: no group;
 * - the observer States (Holy See VAT, State of Palestine PSE) belong to no group.
 *
 * Arithmetic: AFRICAN 54 + APG 53 + EEG 23 + GRULAC 33 + WEOG 29 (28 members + the United
 * States) = 192 = 193 Member States − Kiribati. Every Member State except Kiribati appears
 * exactly once below.
 */

export const REGIONAL_GROUP_CODES = ['AFRICAN', 'APG', 'EEG', 'GRULAC', 'WEOG'] as const;
export type RegionalGroupCode = (typeof REGIONAL_GROUP_CODES)[number];

/** Names as the platform shows them (shared/TAXONOMY.md). */
export const REGIONAL_GROUP_NAMES: Readonly<Record<RegionalGroupCode, string>> = {
  AFRICAN: 'African Group',
  APG: 'Asia-Pacific Group',
  EEG: 'Eastern European Group',
  GRULAC: 'Latin American and Caribbean Group',
  WEOG: 'Western European and Others Group',
};

/** How many States each group counts on this platform (see the arithmetic above). */
export const REGIONAL_GROUP_COUNTS: Readonly<Record<RegionalGroupCode, number>> = {
  AFRICAN: 54,
  APG: 53,
  EEG: 23,
  GRULAC: 33,
  WEOG: 29,
};

/** Member States in no group (Kiribati); observer States are in none either. */
export const MEMBERS_WITHOUT_GROUP: readonly string[] = ['KIR'];

/** Each group's States, sorted by alpha-3 (easier to audit than one long map). */
export const REGIONAL_GROUP_MEMBERS: Readonly<Record<RegionalGroupCode, readonly string[]>> = {
  // prettier-ignore
  AFRICAN: [
    'AGO', 'BDI', 'BEN', 'BFA', 'BWA', 'CAF', 'CIV', 'CMR', 'COD', 'COG', 'COM', 'CPV',
    'DJI', 'DZA', 'EGY', 'ERI', 'ETH', 'GAB', 'GHA', 'GIN', 'GMB', 'GNB', 'GNQ', 'KEN',
    'LBR', 'LBY', 'LSO', 'MAR', 'MDG', 'MLI', 'MOZ', 'MRT', 'MUS', 'MWI', 'NAM', 'NER',
    'NGA', 'RWA', 'SDN', 'SEN', 'SLE', 'SOM', 'SSD', 'STP', 'SWZ', 'SYC', 'TCD', 'TGO',
    'TUN', 'TZA', 'UGA', 'ZAF', 'ZMB', 'ZWE',
  ],
  // Türkiye (TUR) is not listed here: it counts in WEOG only. Kiribati (KIR) is in no group.
  // prettier-ignore
  APG: [
    'AFG', 'ARE', 'BGD', 'BHR', 'BRN', 'BTN', 'CHN', 'CYP', 'FJI', 'FSM', 'IDN', 'IND',
    'IRN', 'IRQ', 'JOR', 'JPN', 'KAZ', 'KGZ', 'KHM', 'KOR', 'KWT', 'LAO', 'LBN', 'LKA',
    'MDV', 'MHL', 'MMR', 'MNG', 'MYS', 'NPL', 'NRU', 'OMN', 'PAK', 'PHL', 'PLW', 'PNG',
    'PRK', 'QAT', 'SAU', 'SGP', 'SLB', 'SYR', 'THA', 'TJK', 'TKM', 'TLS', 'TON', 'TUV',
    'UZB', 'VNM', 'VUT', 'WSM', 'YEM',
  ],
  // prettier-ignore
  EEG: [
    'ALB', 'ARM', 'AZE', 'BGR', 'BIH', 'BLR', 'CZE', 'EST', 'GEO', 'HRV', 'HUN', 'LTU',
    'LVA', 'MDA', 'MKD', 'MNE', 'POL', 'ROU', 'RUS', 'SRB', 'SVK', 'SVN', 'UKR',
  ],
  // prettier-ignore
  GRULAC: [
    'ARG', 'ATG', 'BHS', 'BLZ', 'BOL', 'BRA', 'BRB', 'CHL', 'COL', 'CRI', 'CUB', 'DMA',
    'DOM', 'ECU', 'GRD', 'GTM', 'GUY', 'HND', 'HTI', 'JAM', 'KNA', 'LCA', 'MEX', 'NIC',
    'PAN', 'PER', 'PRY', 'SLV', 'SUR', 'TTO', 'URY', 'VCT', 'VEN',
  ],
  // Includes Israel (ISR), Türkiye (TUR) and the United States (USA, observer counted for elections).
  // prettier-ignore
  WEOG: [
    'AND', 'AUS', 'AUT', 'BEL', 'CAN', 'CHE', 'DEU', 'DNK', 'ESP', 'FIN', 'FRA', 'GBR',
    'GRC', 'IRL', 'ISL', 'ISR', 'ITA', 'LIE', 'LUX', 'MCO', 'MLT', 'NLD', 'NOR', 'NZL',
    'PRT', 'SMR', 'SWE', 'TUR', 'USA',
  ],
};

/** alpha-3 → regional group; a State absent from the map has no group. */
export const REGIONAL_GROUPS: Readonly<Record<string, RegionalGroupCode>> = Object.freeze(
  Object.fromEntries(
    REGIONAL_GROUP_CODES.flatMap((group) =>
      REGIONAL_GROUP_MEMBERS[group].map((alpha3) => [alpha3, group] as const),
    ),
  ),
);

export function regionalGroupOf(alpha3: string): RegionalGroupCode | null {
  return REGIONAL_GROUPS[alpha3.toUpperCase()] ?? null;
}
