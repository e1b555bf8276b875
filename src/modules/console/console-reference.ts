import { Injectable } from '@nestjs/common';
import { UN_LANGUAGES } from '../reference/country.entity';
import { ReferenceService } from '../reference/reference.service';

export interface Option {
  value: string;
  label: string;
}
export interface OptionGroup {
  label: string;
  options: Option[];
}

/** Pick-lists and code → title look-ups from the reference module, for forms and pages. */
@Injectable()
export class ConsoleReference {
  constructor(private readonly reference: ReferenceService) {}

  async pickLists(lang: string) {
    const c = await this.reference.catalog();
    const series = c.controlAreas.filter((a) => a.kind === 'series');
    const controlAreas: OptionGroup[] = series.map((s) => ({
      label: `${s.title}`,
      options: [
        { value: s.code, label: `${s.title} (${s.code}, whole series)` },
        ...c.controlAreas
          .filter((a) => a.series === s.code)
          .map((a) => ({ value: a.code, label: `${a.title} (${a.code})` })),
      ],
    }));
    const platform = c.controlAreas.filter((a) => a.kind === 'platform');
    if (platform.length) {
      controlAreas.push({
        label: 'Platform areas',
        options: platform.map((a) => ({ value: a.code, label: a.title })),
      });
    }
    const countryName = (names: Record<string, string>) => names[lang] || names.en;
    return {
      controlAreas,
      assistanceTypes: c.assistanceTypes.map((t) => ({ value: t.code, label: t.title })),
      frameworks: c.frameworks.map((f) => ({ value: f.code, label: f.title })),
      countries: c.countries
        .map((k) => ({ value: k.alpha3, label: countryName(k.names) }))
        .sort((a, b) => a.label.localeCompare(b.label, lang)),
      regions: c.m49Areas
        .map((a) => ({ value: a.code, label: a.name }))
        .sort((a, b) => a.label.localeCompare(b.label)),
      groups: c.regionalGroups.map((g) => ({ value: g.code, label: g.name })),
      languages: UN_LANGUAGES.map((l) => l as string),
    };
  }

  /** Titles for the codes a record holds (unknown codes shown as they are). */
  async labels(lang: string) {
    const c = await this.reference.catalog();
    const area = new Map(c.controlAreas.map((a) => [a.code, a.title]));
    const type = new Map(c.assistanceTypes.map((t) => [t.code, t.title]));
    const framework = new Map(c.frameworks.map((f) => [f.code, f.title]));
    const region = new Map(c.m49Areas.map((a) => [a.code, a.name]));
    const group = new Map(c.regionalGroups.map((g) => [g.code as string, g.name]));
    const country = (code: string) => {
      const k = c.findCountry(code);
      return k ? k.names[lang as 'en'] || k.names.en : code;
    };
    const of = (map: Map<string, string>) => (codes: readonly string[] | null | undefined) =>
      (codes ?? []).map((code) => map.get(code) ?? code);
    return {
      areas: of(area),
      types: of(type),
      frameworks: of(framework),
      regions: of(region),
      groups: of(group),
      countries: (codes: readonly string[] | null | undefined) => (codes ?? []).map(country),
      country,
    };
  }
}

/** The titles of a record's codes in one language (`ConsoleReference.labels`). */
export type Labels = Awaited<ReturnType<ConsoleReference['labels']>>;

/** The kinds of code list a form field can hold, named as the `Labels` look-up that titles them. */
export type CodeList = 'areas' | 'types' | 'frameworks' | 'regions' | 'groups' | 'countries';
