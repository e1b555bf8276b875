import type { Eligibility } from './eligibility';
import { areaMatch } from './score';
import type { Components, NeedFacts, OfferFacts } from './types';

/** Names the explanation needs, in the need's language where the reference data has them. */
export interface Glossary {
  countryName(alpha3: string, language: string): string;
  regionName(m49: string): string;
  groupName(code: string): string;
  areaTitle(code: string): string;
}

interface Phrases {
  bothCover: (areas: string) => string;
  partlyCover: (areas: string) => string;
  alsoCovers: (areas: string) => string;
  inRegion: (state: string, region: string) => string;
  inGroup: (state: string, group: string) => string;
  named: (state: string) => string;
  everyState: (state: string) => string;
  fits: (cost: string, min: string, max: string) => string;
  fitsEnvelope: (cost: string, remaining: string) => string;
  partial: (cap: string, cost: string) => string;
  deliverableIn: (language: string) => string;
  notDeliverableIn: (language: string) => string;
  types: (types: string) => string;
  languageNames: Record<string, string>;
}

/** Number formats by locale: `toLocaleString(locale)` builds one per call (slow in bulk). */
const formats = new Map<string, Intl.NumberFormat>();
const fmt = (n: number, locale: string) => {
  let f = formats.get(locale);
  if (!f) formats.set(locale, (f = new Intl.NumberFormat(locale)));
  return f.format(Math.round(n));
};

const EN: Phrases = {
  bothCover: (a) => `Both cover ${a}`,
  partlyCover: (a) => `The offer's areas are close to ${a}`,
  alsoCovers: (a) => `the offer is broader, also covering ${a}`,
  inRegion: (s, r) => `${s} is in the offer's region (${r})`,
  inGroup: (s, g) => `${s} is in the offer's group (${g})`,
  named: (s) => `the offer names ${s}`,
  everyState: (s) => `the offer is open to every State, ${s} included`,
  fits: (c, min, max) => `USD ${c} fits the offer's ${min}–${max} range`,
  fitsEnvelope: (c, r) => `USD ${c} fits the USD ${r} left in the offer`,
  partial: (cap, c) => `the offer can cover USD ${cap} of USD ${c} (partial)`,
  deliverableIn: (l) => `deliverable in ${l}`,
  notDeliverableIn: (l) => `not offered in ${l}`,
  types: (t) => `assistance in common: ${t}`,
  languageNames: {
    ar: 'Arabic',
    zh: 'Chinese',
    en: 'English',
    fr: 'French',
    ru: 'Russian',
    es: 'Spanish',
  },
};

const FR: Phrases = {
  bothCover: (a) => `Les deux portent sur ${a}`,
  partlyCover: (a) => `Les domaines de l'offre sont proches de ${a}`,
  alsoCovers: (a) => `l'offre est plus large et porte aussi sur ${a}`,
  inRegion: (s, r) => `${s} fait partie de la région de l'offre (${r})`,
  inGroup: (s, g) => `${s} fait partie du groupe visé par l'offre (${g})`,
  named: (s) => `l'offre nomme ${s}`,
  everyState: (s) => `l'offre est ouverte à tous les États, dont ${s}`,
  fits: (c, min, max) => `${c} USD s'inscrit dans la fourchette de ${min} à ${max} de l'offre`,
  fitsEnvelope: (c, r) => `${c} USD tient dans les ${r} USD restants de l'offre`,
  partial: (cap, c) => `l'offre peut couvrir ${cap} USD sur ${c} USD (partiel)`,
  deliverableIn: (l) => `réalisable en ${l}`,
  notDeliverableIn: (l) => `non proposé en ${l}`,
  types: (t) => `assistance en commun : ${t}`,
  languageNames: {
    ar: 'arabe',
    zh: 'chinois',
    en: 'anglais',
    fr: 'français',
    ru: 'russe',
    es: 'espagnol',
  },
};

const ES: Phrases = {
  bothCover: (a) => `Ambos abarcan ${a}`,
  partlyCover: (a) => `Las áreas de la oferta se acercan a ${a}`,
  alsoCovers: (a) => `la oferta es más amplia y abarca también ${a}`,
  inRegion: (s, r) => `${s} está en la región de la oferta (${r})`,
  inGroup: (s, g) => `${s} está en el grupo de la oferta (${g})`,
  named: (s) => `la oferta nombra a ${s}`,
  everyState: (s) => `la oferta está abierta a todos los Estados, incluido ${s}`,
  fits: (c, min, max) => `USD ${c} cabe en el rango de ${min} a ${max} de la oferta`,
  fitsEnvelope: (c, r) => `USD ${c} cabe en los USD ${r} que quedan en la oferta`,
  partial: (cap, c) => `la oferta puede cubrir USD ${cap} de USD ${c} (parcial)`,
  deliverableIn: (l) => `ejecutable en ${l}`,
  notDeliverableIn: (l) => `no ofrecida en ${l}`,
  types: (t) => `asistencia en común: ${t}`,
  languageNames: {
    ar: 'árabe',
    zh: 'chino',
    en: 'inglés',
    fr: 'francés',
    ru: 'ruso',
    es: 'español',
  },
};

/** Templates exist for English, French and Spanish; other languages fall back to English. */
const PHRASES: Record<string, { phrases: Phrases; locale: string }> = {
  en: { phrases: EN, locale: 'en-US' },
  fr: { phrases: FR, locale: 'fr-FR' },
  es: { phrases: ES, locale: 'es-ES' },
};

/** A short, plain-language reason for a suggestion, in the need's language where possible. */
export function explain(
  need: NeedFacts,
  offer: OfferFacts,
  eligibility: Eligibility,
  components: Components,
  glossary: Glossary,
): string {
  const { phrases: p, locale } = PHRASES[need.language] ?? PHRASES.en;
  const parts: string[] = [];

  const exact = need.controlAreas.filter((a) => areaMatch(a, offer.controlAreas) >= 0.8);
  const near = need.controlAreas.filter((a) => areaMatch(a, offer.controlAreas) === 0.4);
  const label = (codes: string[]) => codes.map((c) => `${c} ${glossary.areaTitle(c)}`).join(', ');
  if (exact.length) parts.push(p.bothCover(label(exact)));
  else if (near.length) parts.push(p.partlyCover(label(near)));
  // The offer's areas the need does not ask for (nor their series): the areas component is
  // lowered for them (breadth), so say which they are.
  const beyond = offer.controlAreas.filter((a) => areaMatch(a, need.controlAreas) < 0.8);
  if (beyond.length && (exact.length || near.length))
    parts.push(
      p.alsoCovers(
        beyond.length > 3 ? `${label(beyond.slice(0, 3))}, +${beyond.length - 3}` : label(beyond),
      ),
    );

  const state = glossary.countryName(need.state, need.language);
  const { regions, groups, countries } = offer.eligibility;
  const region = need.stateRegions.find((r) => regions.includes(r));
  if (countries.includes(need.state)) parts.push(p.named(state));
  else if (need.stateGroup && groups.includes(need.stateGroup))
    parts.push(p.inGroup(state, glossary.groupName(need.stateGroup)));
  else if (region) parts.push(p.inRegion(state, glossary.regionName(region)));
  else if (!regions.length && !groups.length && !countries.length) parts.push(p.everyState(state));

  const cost = fmt(need.uncoveredUsd, locale);
  if (eligibility.partial) {
    parts.push(
      p.partial(
        fmt(Math.min(offer.maxPerProjectUsd ?? Infinity, offer.remainingUsd), locale),
        cost,
      ),
    );
  } else if (offer.minPerProjectUsd !== null || offer.maxPerProjectUsd !== null) {
    parts.push(
      p.fits(
        cost,
        fmt(offer.minPerProjectUsd ?? 0, locale),
        fmt(offer.maxPerProjectUsd ?? offer.remainingUsd, locale),
      ),
    );
  } else {
    parts.push(p.fitsEnvelope(cost, fmt(offer.remainingUsd, locale)));
  }

  const shared = need.assistanceTypes.filter((t) => offer.assistanceTypes.includes(t));
  if (shared.length) parts.push(p.types(shared.join(', ')));
  const languageName = p.languageNames[need.language] ?? need.language;
  parts.push(
    components.language === 1 ? p.deliverableIn(languageName) : p.notDeliverableIn(languageName),
  );
  return parts.join('; ');
}
