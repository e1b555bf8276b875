import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CONSOLE_LANGUAGES,
  directionOf,
  loadCatalogues,
  negotiateLanguage,
  translator,
} from './i18n';

describe('console messages', () => {
  const catalogues = loadCatalogues(join(__dirname, 'i18n'));

  it('has complete English, French and Spanish catalogues with the same keys', () => {
    const en = Object.keys(catalogues.en).sort();
    expect(en.length).toBeGreaterThan(200);
    expect(Object.keys(catalogues.fr).sort()).toEqual(en);
    expect(Object.keys(catalogues.es).sort()).toEqual(en);
    for (const lang of ['fr', 'es']) {
      const empty = Object.entries(catalogues[lang]).filter(([, v]) => !v.trim());
      expect(empty).toEqual([]);
    }
  });

  it('keeps the placeholders of every English message in its translations', () => {
    const placeholders = (s: string) => (s.match(/\{\w+\}/g) ?? []).sort();
    const broken: string[] = [];
    for (const lang of Object.keys(catalogues)) {
      for (const [key, message] of Object.entries(catalogues[lang])) {
        if (
          JSON.stringify(placeholders(message)) !==
          JSON.stringify(placeholders(catalogues.en[key] ?? ''))
        ) {
          broken.push(`${lang}:${key}`);
        }
      }
    }
    expect(broken).toEqual([]);
  });

  it('has no key in another catalogue that English lacks', () => {
    for (const lang of Object.keys(catalogues)) {
      expect(Object.keys(catalogues[lang]).filter((k) => !(k in catalogues.en))).toEqual([]);
    }
  });

  it('translates, and falls back to English key by key, then to the key', () => {
    const fr = translator(catalogues, 'fr');
    expect(fr('nav.needs')).toBe('Besoins');
    const ar = translator(catalogues, 'ar');
    expect(ar('nav.needs')).toBe(catalogues.ar['nav.needs']);
    expect(ar('conflict.title')).toBe(catalogues.en['conflict.title']); // not in ar.json
    const ru = translator(catalogues, 'ru'); // no catalogue at all
    expect(ru('nav.needs')).toBe('Needs');
    expect(ru('no.such.key')).toBe('no.such.key');
  });

  it('fills placeholders and leaves unknown ones visible', () => {
    const t = translator({ en: { hello: 'Hello {name}, {missing}' } }, 'en');
    expect(t('hello', { name: 'Ama' })).toBe('Hello Ama, {missing}');
  });

  it('writes Arabic right to left and the others left to right', () => {
    expect(directionOf('ar')).toBe('rtl');
    for (const lang of CONSOLE_LANGUAGES.filter((l) => l !== 'ar'))
      expect(directionOf(lang)).toBe('ltr');
  });

  it('picks the language: the switch, else the profile, else the browser, else English', () => {
    expect(negotiateLanguage('es', 'fr', 'ar')).toBe('es');
    expect(negotiateLanguage('xx', 'fr', 'es')).toBe('fr');
    expect(negotiateLanguage(undefined, undefined, 'de-DE, fr-CA;q=0.8, es;q=0.9')).toBe('es');
    expect(negotiateLanguage(undefined, undefined, 'de, it;q=0.5')).toBe('en');
    expect(negotiateLanguage(undefined, undefined, 'fr;q=0')).toBe('en');
    expect(negotiateLanguage(undefined, undefined, undefined)).toBe('en');
  });
  it('merges per-area catalogues into their language and refuses a key defined twice', () => {
    const dir = mkdtempSync(join(tmpdir(), 'i18n-'));
    writeFileSync(join(dir, 'en.json'), JSON.stringify({ 'nav.home': 'Home' }));
    mkdirSync(join(dir, 'inbox'));
    writeFileSync(join(dir, 'inbox', 'en.json'), JSON.stringify({ 'inbox.title': 'Inbox' }));
    writeFileSync(join(dir, 'inbox', 'fr.json'), JSON.stringify({ 'inbox.title': 'Boîte' }));
    expect(loadCatalogues(dir)).toEqual({
      en: { 'nav.home': 'Home', 'inbox.title': 'Inbox' },
      fr: { 'inbox.title': 'Boîte' },
    });
    writeFileSync(join(dir, 'inbox', 'en.json'), JSON.stringify({ 'nav.home': 'Again' }));
    expect(() => loadCatalogues(dir)).toThrow('Console message "nav.home" (en) is defined twice');
  });
});
