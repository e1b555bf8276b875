import type { ValueTransformer } from 'typeorm';
import { RULES, type Rule } from './engine/eligibility';
import { COMPONENTS, type Components } from './engine/types';

/**
 * How a suggestion's components and rules are stored (`match_suggestion`): compactly, since a
 * full re-match writes about ten rows per open need (880,000 at the benchmark's scale).
 *
 *  - `components` is a `smallint[]` of the eight components in `COMPONENTS` order, each in
 *    ten-thousandths: the engine rounds them to four decimals, so `k / 10_000` gives back the
 *    very same number. As a JSON object it was 186 bytes per row and PostgreSQL parsed it with
 *    `jsonb_in`; as an array it is 40 bytes.
 *  - `rules_passed` and `rules_failed` are `smallint` bit masks, bit i for `RULES[i]`; the
 *    engine lists rules in that order, so a mask gives back the same list. As `text[]` they were
 *    181 bytes per row.
 *
 * Together a third of the row and most of the cost of parsing it: a full re-match at the
 * benchmark's scale took 5 s less with these columns left empty (docs/MATCHING-SCALE.md). The
 * orders of COMPONENTS and RULES are part of the stored format: add at the end, never reorder.
 * The API and every reader of the entity see the object and the lists, through the transformers
 * below; the migration `CompactSuggestionColumns` converted stored rows.
 */

const SCALE = 10_000;

/** A component as stored: in ten-thousandths. */
const stored = (value: number) => Math.round(value * SCALE);

export function componentsToColumn(c: Components): number[] {
  return COMPONENTS.map((k) => stored(c[k]));
}

export function componentsFromColumn(values: readonly number[]): Components {
  if (values.length !== COMPONENTS.length)
    throw new Error(
      `match_suggestion.components holds ${values.length} values, not ${COMPONENTS.length}`,
    );
  return Object.fromEntries(COMPONENTS.map((k, i) => [k, values[i] / SCALE])) as Components;
}

/**
 * The column as a PostgreSQL array literal (`{5477,10000,…}`), for COPY and the upsert: built
 * without the array `componentsToColumn` returns (one per row written).
 */
export function componentsLiteral(c: Components): string {
  let out = '{';
  for (let i = 0; i < COMPONENTS.length; i++) out += `${i ? ',' : ''}${stored(c[COMPONENTS[i]])}`;
  return `${out}}`;
}

const BIT = new Map<string, number>(RULES.map((r, i) => [r, 1 << i]));

export function rulesToMask(rules: readonly string[]): number {
  let mask = 0;
  for (const r of rules) {
    const bit = BIT.get(r);
    if (bit === undefined) throw new Error(`unknown eligibility rule: ${r}`);
    mask |= bit;
  }
  return mask;
}

export function rulesFromMask(mask: number): Rule[] {
  return RULES.filter((_, i) => (mask & (1 << i)) !== 0);
}

/** Entity column transformers (TypeORM): the object and lists in, the stored form out. */
export const COMPONENTS_COLUMN: ValueTransformer = {
  to: (c: Components | undefined) => (c === undefined ? c : componentsToColumn(c)),
  from: (v: number[] | null) => (v === null ? v : componentsFromColumn(v)),
};

export const RULES_COLUMN: ValueTransformer = {
  to: (rules: string[] | undefined) => (rules === undefined ? rules : rulesToMask(rules)),
  from: (v: number | null) => (v === null ? v : rulesFromMask(v)),
};
