/** What the engine needs to know about a need: plain data, loaded by the matching service. */
export interface NeedFacts {
  id: string;
  partyId: string;
  status: string;
  /** ISO alpha-3 of the requesting State. */
  state: string;
  /** The State's M49 region, sub-region and (where it has one) intermediate region codes. */
  stateRegions: string[];
  stateGroup: string | null;
  /** The State's M49 sub-region code (prior engagement counts it). */
  stateSubRegion: string;
  language: string;
  /** Ordered as declared: the first is the need's main area. */
  controlAreas: string[];
  assistanceTypes: string[];
  priority: 'high' | 'medium' | 'low';
  /** Rank in the State's National Action Plan (1 = first), when linked to one. */
  planRank: number | null;
  uncoveredUsd: number;
  earliestStart: string | null;
  neededBy: string;
  title: string;
  description: string;
}

export interface OfferFacts {
  id: string;
  partyId: string;
  status: string;
  controlAreas: string[];
  assistanceTypes: string[];
  eligibility: {
    regions: string[];
    groups: string[];
    countries: string[];
    excludeCountries: string[];
  };
  minPerProjectUsd: number | null;
  maxPerProjectUsd: number | null;
  remainingUsd: number;
  startDate: string;
  endDate: string;
  languages: string[];
  title: string;
  description: string;
}

/** Where the offering party has already committed funds (filled from commitments). */
export interface PriorEngagement {
  states: ReadonlySet<string>;
  subRegions: ReadonlySet<string>;
}

export const COMPONENTS = [
  'areas',
  'types',
  'budget',
  'timing',
  'language',
  'priority',
  'engagement',
  'text',
] as const;
export type Component = (typeof COMPONENTS)[number];
export type Components = Record<Component, number>;

/** Weights of the components other than text (they sum to 1) and the share text may add. */
export interface ScoreWeights {
  areas: number;
  types: number;
  budget: number;
  timing: number;
  language: number;
  priority: number;
  engagement: number;
  /** Text relevance can only raise a score, by at most this share of the gap to 1. */
  text: number;
  /**
   * Not a share of the score: how much of the areas and types components an offer broader
   * than the need loses (0: none, only the need's coverage counts; 1: coverage × precision).
   */
  breadth: number;
}

/**
 * Tuned on the development split of `npm run eval:matching` (docs/MATCHING-SCALE.md):
 * coordinate search over areas, types, budget, timing and text with breadth 0.75, then
 * normalised; language, priority and engagement kept at their earlier share, as that set
 * cannot measure them.
 */
export const DEFAULT_WEIGHTS: ScoreWeights = {
  areas: 0.353,
  types: 0.235,
  budget: 0.177,
  timing: 0.078,
  language: 0.052,
  priority: 0.063,
  engagement: 0.042,
  text: 0.15,
  breadth: 0.75,
};
