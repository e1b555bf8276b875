import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The six UN languages can be chosen; those without a (complete) catalogue fall back to English. */
export const CONSOLE_LANGUAGES = ['en', 'fr', 'es', 'ar', 'ru', 'zh'] as const;
export type ConsoleLanguage = (typeof CONSOLE_LANGUAGES)[number];

/** Each language named in itself, for the switch. */
export const LANGUAGE_NAMES: Record<ConsoleLanguage, string> = {
  en: 'English',
  fr: 'Français',
  es: 'Español',
  ar: 'العربية',
  ru: 'Русский',
  zh: '中文',
};

const RTL: ReadonlySet<string> = new Set(['ar']);

export type Catalogue = Record<string, string>;
export type Translate = (key: string, params?: Record<string, string | number>) => string;

export function isConsoleLanguage(value: unknown): value is ConsoleLanguage {
  return typeof value === 'string' && (CONSOLE_LANGUAGES as readonly string[]).includes(value);
}

export function directionOf(lang: string): 'rtl' | 'ltr' {
  return RTL.has(lang) ? 'rtl' : 'ltr';
}

/**
 * One JSON catalogue per language (`i18n/<lang>.json`), flat keys such as `need.title`, plus
 * optional per-area catalogues (`i18n/<area>/<lang>.json`) merged into it; a key defined twice
 * is an error, so areas cannot silently override each other.
 */
export function loadCatalogues(dir = join(__dirname, 'i18n')): Record<string, Catalogue> {
  const out: Record<string, Catalogue> = {};
  const merge = (file: string, lang: string) => {
    const entries = JSON.parse(readFileSync(file, 'utf8')) as Catalogue;
    const into = (out[lang] ??= {});
    for (const [key, message] of Object.entries(entries)) {
      if (key in into) throw new Error(`Console message "${key}" (${lang}) is defined twice`);
      into[key] = message;
    }
  };
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isFile() && entry.name.endsWith('.json')) {
      merge(join(dir, entry.name), entry.name.slice(0, -5));
    } else if (entry.isDirectory()) {
      for (const file of readdirSync(join(dir, entry.name))) {
        if (file.endsWith('.json')) merge(join(dir, entry.name, file), file.slice(0, -5));
      }
    }
  }
  if (!out.en) throw new Error(`No English catalogue (en.json) in ${dir}`);
  return out;
}

/**
 * Messages in `lang`, falling back to English key by key, then to the key itself (so a missing
 * message shows up as its key rather than as nothing). `{name}` placeholders take `params`.
 */
export function translator(catalogues: Record<string, Catalogue>, lang: string): Translate {
  const own = catalogues[lang] ?? {};
  const english = catalogues.en ?? {};
  return (key, params) => {
    const message = own[key] ?? english[key] ?? key;
    if (!params) return message;
    return message.replace(/\{(\w+)\}/g, (whole, name: string) =>
      params[name] === undefined ? whole : String(params[name]),
    );
  };
}

/**
 * The interface language: the switch's cookie, else the user's profile language, else the
 * browser's Accept-Language, else English.
 */
export function negotiateLanguage(
  cookie: string | undefined,
  profile: string | undefined,
  acceptLanguage: string | undefined,
): ConsoleLanguage {
  if (isConsoleLanguage(cookie)) return cookie;
  if (isConsoleLanguage(profile)) return profile;
  const ranked = (acceptLanguage ?? '')
    .split(',')
    .map((part) => {
      const [tag, ...attrs] = part.trim().split(';');
      const q = attrs.map((a) => /^\s*q=([\d.]+)\s*$/.exec(a)?.[1]).find(Boolean);
      return { base: tag.toLowerCase().split('-')[0], q: q === undefined ? 1 : Number(q) };
    })
    .filter((x) => x.base && x.q > 0)
    .sort((a, b) => b.q - a.q);
  return ranked.map((x) => x.base).find(isConsoleLanguage) ?? 'en';
}
