import type { EntityManager } from 'typeorm';
import type { NeedFacts, OfferFacts, PriorEngagement } from './engine/types';

/** SQL that loads what the engine needs; dates as text so no time zone shifts them. */
const NEED_SELECT = `
  SELECT n.id, n.party_id, n.version, n.country_code AS state,
         -- awaiting the State's consent (filed on its behalf): not open, not circulated yet
         CASE WHEN n.consent_status = 'pending' THEN 'awaiting_consent' ELSE n.status END AS status,
         c.region_code, c.sub_region_code, c.intermediate_region_code, c.regional_group,
         n.language, n.control_areas, n.assistance_types, n.priority,
         COALESCE(pi.rank, n.rank) AS plan_rank,
         GREATEST(n.estimated_usd - n.covered_usd, 0)::float8 AS uncovered_usd,
         to_char(n.earliest_start, 'YYYY-MM-DD') AS earliest_start,
         to_char(n.needed_by, 'YYYY-MM-DD') AS needed_by, n.title, n.description
    FROM need n
    JOIN country c ON c.alpha3 = n.country_code
    LEFT JOIN plan_item pi ON pi.id = n.plan_item_id`;

const OFFER_SELECT = `
  SELECT o.id, o.party_id, o.status, o.version, o.control_areas, o.assistance_types,
         o.eligibility_regions, o.eligibility_groups, o.eligibility_countries, o.exclude_countries,
         (o.min_per_project * o.total_usd / o.budget_total)::float8 AS min_usd,
         (o.max_per_project * o.total_usd / o.budget_total)::float8 AS max_usd,
         o.remaining_usd::float8 AS remaining_usd,
         to_char(o.start_date, 'YYYY-MM-DD') AS start_date, to_char(o.end_date, 'YYYY-MM-DD') AS end_date,
         o.languages, o.title, o.description
    FROM offer o`;

export interface Versioned<T> {
  facts: T;
  version: number;
}

type Row = Record<string, unknown>;

function needFacts(r: Row): Versioned<NeedFacts> {
  return {
    version: Number(r.version),
    facts: {
      id: String(r.id),
      partyId: String(r.party_id),
      status: String(r.status),
      state: String(r.state),
      stateRegions: [r.region_code, r.sub_region_code, r.intermediate_region_code]
        .filter(Boolean)
        .map(String),
      stateGroup: (r.regional_group as string | null) ?? null,
      stateSubRegion: String(r.sub_region_code),
      language: String(r.language),
      controlAreas: r.control_areas as string[],
      assistanceTypes: r.assistance_types as string[],
      priority: r.priority as NeedFacts['priority'],
      planRank: r.plan_rank === null ? null : Number(r.plan_rank),
      uncoveredUsd: Number(r.uncovered_usd),
      earliestStart: (r.earliest_start as string | null) ?? null,
      neededBy: String(r.needed_by),
      title: String(r.title),
      description: String(r.description),
    },
  };
}

function offerFacts(r: Row): Versioned<OfferFacts> {
  return {
    version: Number(r.version),
    facts: {
      id: String(r.id),
      partyId: String(r.party_id),
      status: String(r.status),
      controlAreas: r.control_areas as string[],
      assistanceTypes: r.assistance_types as string[],
      eligibility: {
        regions: r.eligibility_regions as string[],
        groups: r.eligibility_groups as string[],
        countries: r.eligibility_countries as string[],
        excludeCountries: r.exclude_countries as string[],
      },
      minPerProjectUsd: r.min_usd === null ? null : Number(r.min_usd),
      maxPerProjectUsd: r.max_usd === null ? null : Number(r.max_usd),
      remainingUsd: Number(r.remaining_usd),
      startDate: String(r.start_date),
      endDate: String(r.end_date),
      languages: r.languages as string[],
      title: String(r.title),
      description: String(r.description),
    },
  };
}

export async function loadNeeds(
  m: EntityManager,
  where: string,
  params: unknown[],
): Promise<Versioned<NeedFacts>[]> {
  return ((await m.query(`${NEED_SELECT} WHERE ${where}`, params)) as Row[]).map(needFacts);
}

export async function loadOffers(
  m: EntityManager,
  where: string,
  params: unknown[],
): Promise<Versioned<OfferFacts>[]> {
  return ((await m.query(`${OFFER_SELECT} WHERE ${where}`, params)) as Row[]).map(offerFacts);
}

/** Open needs an offer could serve: the cheap part of eligibility, done by the indexes. */
export const CANDIDATE_NEEDS = `n.status IN ('published', 'partially_covered')
  AND n.consent_status IS DISTINCT FROM 'pending'
  AND n.assistance_types && $1::text[]
  AND n.needed_by >= $2::date AND (n.earliest_start IS NULL OR n.earliest_start <= $3::date)`;

/** Active offers with money left that a need could use. */
export const CANDIDATE_OFFERS = `o.status = 'active' AND o.remaining_usd > 0
  AND o.assistance_types && $1::text[]
  AND o.start_date <= $2::date AND ($3::date IS NULL OR o.end_date >= $3::date)`;

/** Where each donor party has committed before (matches past `agreed`), by State and sub-region. */
export async function loadPriorEngagement(
  m: EntityManager,
  donorPartyIds: string[],
): Promise<Map<string, PriorEngagement>> {
  const out = new Map<string, { states: Set<string>; subRegions: Set<string> }>();
  if (!donorPartyIds.length) return out;
  const rows: { offer_party_id: string; country_code: string; sub_region_code: string }[] =
    await m.query(
      `SELECT DISTINCT ms.offer_party_id, n.country_code, c.sub_region_code
       FROM match_suggestion ms
       JOIN need n ON n.id = ms.need_id
       JOIN country c ON c.alpha3 = n.country_code
      WHERE ms.offer_party_id = ANY($1::uuid[])
        AND ms.status IN ('committed', 'in_delivery', 'delivered', 'closed')`,
      [donorPartyIds],
    );
  for (const r of rows) {
    const e = out.get(r.offer_party_id) ?? {
      states: new Set<string>(),
      subRegions: new Set<string>(),
    };
    e.states.add(r.country_code);
    e.subRegions.add(r.sub_region_code);
    out.set(r.offer_party_id, e);
  }
  return out;
}
