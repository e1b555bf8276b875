import { Catalogue, en, MessageKey } from './messages/en';
import { es } from './messages/es';
import { fr } from './messages/fr';
import { ar, ru, zh } from './messages/partial';

/** The six official UN languages, as users choose them (app_user.language). */
export const UN_LANGUAGES = ['ar', 'zh', 'en', 'fr', 'ru', 'es'] as const;
export type Language = (typeof UN_LANGUAGES)[number];

const CATALOGUES: Record<Language, Partial<Catalogue>> = { en, fr, es, ar, zh, ru };
const RTL: readonly string[] = ['ar'];

/** A supported language, or English for anything else (null, unknown codes). */
export function languageOf(code: string | null | undefined): Language {
  return (UN_LANGUAGES as readonly string[]).includes(code ?? '') ? (code as Language) : 'en';
}

export function textDirection(language: string): 'rtl' | 'ltr' {
  return RTL.includes(language) ? 'rtl' : 'ltr';
}

export type Params = Record<string, string | number | null | undefined>;

/** Whether `language` has its own text for `key` (English is the fallback for the others). */
export function hasTranslation(language: string, key: string): boolean {
  return CATALOGUES[languageOf(language)][key as MessageKey] !== undefined;
}

/**
 * The string for `key` in `language`, falling back to English per missing string (then to the
 * key itself, so a typo shows rather than vanishes), with `{name}` placeholders filled.
 */
export function translate(language: string, key: string, params: Params = {}): string {
  const template =
    CATALOGUES[languageOf(language)][key as MessageKey] ?? en[key as MessageKey] ?? key;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params[name];
    return value === undefined || value === null ? whole : String(value);
  });
}

/** An amount in the reader's conventions (e.g. `USD 120,000.00` / `120 000,00 $US`). */
export function formatAmount(language: string, amount: number, currency: string): string {
  try {
    return new Intl.NumberFormat(languageOf(language), {
      style: 'currency',
      currency,
      currencyDisplay: 'code',
    }).format(amount);
  } catch {
    return `${currency} ${amount.toFixed(2)}`;
  }
}

/** What an event says, in raw values (titles, codes, amounts); localised by `describe`. */
export interface EventFacts {
  need?: string;
  offer?: string;
  state?: string;
  donor?: string;
  actor?: string;
  score?: number;
  reasonCode?: string;
  amount?: number;
  currency?: string;
  excerpt?: string;
  deadline?: string;
  neededBy?: string;
  days?: number;
  summary?: string;
  alertKind?: string;
  url?: string;
  error?: string;
}

/** Title and body of a notification of `type`, in `language` (per-string English fallback). */
export function describe(
  language: string,
  type: string,
  facts: EventFacts,
): { title: string; body: string } {
  const params: Params = {
    ...facts,
    score: facts.score !== undefined ? facts.score.toFixed(2) : undefined,
    reason: facts.reasonCode ? translate(language, `reason.${facts.reasonCode}`) : undefined,
    kind: facts.alertKind ? translate(language, `alert.${facts.alertKind}`) : undefined,
    amount:
      facts.amount !== undefined && facts.currency
        ? formatAmount(language, facts.amount, facts.currency)
        : undefined,
  };
  return {
    title: translate(language, `${type}.title`, params),
    body: translate(language, `${type}.body`, params),
  };
}
