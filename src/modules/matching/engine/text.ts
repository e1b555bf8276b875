import { newStemmer, Stemmer } from 'snowball-stemmers';
import { removeStopwords, ara, eng, fra, rus, spa, zho } from 'stopword';

const STEMMER_OF: Record<string, string> = {
  en: 'english',
  fr: 'french',
  es: 'spanish',
  ru: 'russian',
  ar: 'arabic',
};
const STOPWORDS: Record<string, string[]> = {
  en: eng,
  fr: fra,
  es: spa,
  ru: rus,
  ar: ara,
  zh: zho,
};
const stemmers = new Map<string, Stemmer>();

function stemmer(language: string): Stemmer | undefined {
  const algorithm = STEMMER_OF[language];
  if (!algorithm) return undefined;
  let s = stemmers.get(language);
  if (!s) {
    s = newStemmer(algorithm);
    stemmers.set(language, s);
  }
  return s;
}

/**
 * Language-aware terms of a text: stop words of its language removed, words stemmed with
 * the Snowball stemmer of that language; Chinese, written without spaces, as character
 * bigrams. Accents are kept for the stemmer, then folded.
 */
export function terms(text: string, language: string): Set<string> {
  const lower = text.toLowerCase();
  if (language === 'zh') {
    const out = new Set<string>();
    for (const run of lower.match(/\p{Script=Han}+/gu) ?? []) {
      if (run.length === 1) out.add(run);
      for (let i = 0; i + 1 < run.length; i++) out.add(run.slice(i, i + 2));
    }
    for (const word of lower.match(/[\p{L}\p{N}]{2,}/gu) ?? [])
      if (!/\p{Script=Han}/u.test(word)) out.add(word);
    return out;
  }
  const words = removeStopwords(
    lower.match(/[\p{L}\p{N}]+/gu) ?? [],
    STOPWORDS[language] ?? eng,
  ).filter((w) => w.length > 1);
  const stem = stemmer(language);
  return new Set(
    words.map((w) => (stem ? stem.stem(w) : w).normalize('NFKD').replace(/\p{M}/gu, '')),
  );
}

/** Overlap of two term sets in [0, 1]: shared terms over the geometric mean of the sizes. */
export function textRelevance(needTerms: Set<string>, offerTerms: Set<string>): number {
  if (!needTerms.size || !offerTerms.size) return 0;
  let shared = 0;
  for (const t of needTerms) if (offerTerms.has(t)) shared++;
  return shared / Math.sqrt(needTerms.size * offerTerms.size);
}
