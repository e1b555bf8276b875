import { newStemmer, Stemmer } from 'snowball-stemmers';
import { ara, eng, fra, rus, spa, zho } from 'stopword';

const STEMMER_OF: Record<string, string> = {
  en: 'english',
  fr: 'french',
  es: 'spanish',
  ru: 'russian',
  ar: 'arabic',
};
/** The stop word lists as sets (the library's removeStopwords scans its array per word). */
const STOPWORDS: Record<string, ReadonlySet<string>> = {
  en: new Set(eng),
  fr: new Set(fra),
  es: new Set(spa),
  ru: new Set(rus),
  ar: new Set(ara),
  zh: new Set(zho),
};

/** A word's term: stemmed, accents folded. Memoised per language (the stemmers are pure). */
type Termer = (word: string) => string;
const termers = new Map<string, Termer>();
const MEMO_LIMIT = 100_000;

function termer(language: string): Termer {
  let t = termers.get(language);
  if (t) return t;
  const algorithm = STEMMER_OF[language];
  const stem: Stemmer | undefined = algorithm ? newStemmer(algorithm) : undefined;
  const memo = new Map<string, string>();
  t = (word) => {
    let out = memo.get(word);
    if (out === undefined) {
      out = (stem ? stem.stem(word) : word).normalize('NFKD').replace(/\p{M}/gu, '');
      if (memo.size >= MEMO_LIMIT) memo.clear();
      memo.set(word, out);
    }
    return out;
  };
  termers.set(language, t);
  return t;
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
  const stop = STOPWORDS[language] ?? STOPWORDS.en;
  const term = termer(language);
  const out = new Set<string>();
  for (const w of lower.match(/[\p{L}\p{N}]+/gu) ?? [])
    if (!stop.has(w.toLowerCase()) && w.length > 1) out.add(term(w));
  return out;
}

/** Overlap of two term sets in [0, 1]: shared terms over the geometric mean of the sizes. */
export function textRelevance(needTerms: Set<string>, offerTerms: Set<string>): number {
  if (!needTerms.size || !offerTerms.size) return 0;
  let shared = 0;
  for (const t of needTerms) if (offerTerms.has(t)) shared++;
  return shared / Math.sqrt(needTerms.size * offerTerms.size);
}
