import { RULES } from './engine/eligibility';
import { COMPONENTS, type Components } from './engine/types';
import {
  COMPONENTS_COLUMN,
  componentsFromColumn,
  componentsLiteral,
  componentsToColumn,
  RULES_COLUMN,
  rulesFromMask,
  rulesToMask,
} from './suggestion-columns';

/** As the engine rounds a component (score.ts): four decimals. */
const round = (x: number) => Math.round(x * 10_000) / 10_000;

describe('suggestion columns (compact storage of components and rules)', () => {
  it('gives back every component exactly as the engine rounded it', () => {
    let seed = 7;
    const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    for (let i = 0; i < 2_000; i++) {
      const c = Object.fromEntries(COMPONENTS.map((k) => [k, round(random())])) as Components;
      if (i === 0) for (const k of COMPONENTS) c[k] = k === 'text' ? 1 : 0;
      const column = componentsToColumn(c);
      expect(column).toHaveLength(COMPONENTS.length);
      for (const v of column) expect(Number.isInteger(v) && v >= 0 && v <= 10_000).toBe(true);
      expect(componentsFromColumn(column)).toEqual(c);
      expect(componentsLiteral(c)).toBe(`{${column.join(',')}}`);
    }
  });

  it('stores the components in COMPONENTS order, in ten-thousandths', () => {
    const c = {
      areas: 0.8,
      types: 1,
      budget: 0.25,
      timing: 0.5,
      language: 0,
      priority: 0.6,
      engagement: 0.0001,
      text: 0.5477,
    };
    expect(componentsToColumn(c)).toEqual([8000, 10000, 2500, 5000, 0, 6000, 1, 5477]);
    expect(COMPONENTS_COLUMN.from([8000, 10000, 2500, 5000, 0, 6000, 1, 5477])).toEqual(c);
    expect(() => componentsFromColumn([1, 2, 3])).toThrow(/3 values, not 8/);
  });

  it('gives back every list of rules, in RULES order, from its mask', () => {
    for (let mask = 0; mask < 1 << RULES.length; mask++) {
      const rules = rulesFromMask(mask);
      expect(rules).toEqual(RULES.filter((_, i) => mask & (1 << i)));
      expect(rulesToMask(rules)).toBe(mask);
    }
    expect(rulesToMask(['need_open', 'envelope_left'])).toBe(0b1000001);
    expect(RULES_COLUMN.to(['offer_active'])).toBe(2);
    expect(RULES_COLUMN.from(0)).toEqual([]);
    expect(() => rulesToMask(['no_such_rule'])).toThrow(/unknown eligibility rule/);
  });
});
