/**
 * A seeded synthetic world of SALW-control assistance for the matching benchmark (and the
 * matching e2e tests): every State of the reference data files needs, donors offer.
 *
 * Needs: 1–3 control areas (most in one MOSAIC series, as real requests are), 1–3 assistance
 * types, costs log-uniform from USD 5,000 to 3 million, windows over three years, text in
 * the State's usual UN language from phrase banks per area. Offers: 40 donors (some active
 * in one region, some with a regional group, a few naming countries, half open to all),
 * 1–4 areas, 2–4 types, envelopes from USD 50,000 to 20 million with per-project ranges,
 * 1–3 languages, text from the same banks with other wording. Deterministic for a seed.
 * Inserted with multi-row statements (jsonb_to_recordset) in batches.
 */
import type { DataSource } from 'typeorm';

export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const LANGUAGES = ['en', 'fr', 'es', 'ru', 'ar', 'zh'] as const;
export type Language = (typeof LANGUAGES)[number];

/** Topic phrases per series, per language; needs and offers word them differently. */
export const TOPICS: Record<string, Record<Language, string[]>> = {
  '02': {
    en: [
      'armed violence prevention',
      'community safety programme',
      'reintegration of ex-combatants',
    ],
    fr: [
      'prévention de la violence armée',
      'sécurité communautaire',
      'réintégration des ex-combattants',
    ],
    es: [
      'prevención de la violencia armada',
      'seguridad comunitaria',
      'reintegración de excombatientes',
    ],
    ru: [
      'предупреждение вооружённого насилия',
      'безопасность общин',
      'реинтеграция бывших комбатантов',
    ],
    ar: ['منع العنف المسلح', 'أمن المجتمعات المحلية', 'إعادة إدماج المقاتلين السابقين'],
    zh: ['预防武装暴力', '社区安全方案', '前战斗人员重返社会'],
  },
  '03': {
    en: [
      'firearms legislation',
      'transfer control regulations',
      'end-user certificates',
      'civilian licensing',
    ],
    fr: [
      'législation sur les armes',
      'contrôle des transferts',
      "certificats d'utilisateur final",
      'permis civils',
    ],
    es: [
      'legislación sobre armas',
      'control de transferencias',
      'certificados de usuario final',
      'licencias civiles',
    ],
    ru: ['законодательство об оружии', 'контроль передачи', 'сертификаты конечного пользователя'],
    ar: ['تشريعات الأسلحة النارية', 'مراقبة عمليات النقل', 'شهادات المستخدم النهائي'],
    zh: ['枪支立法', '转让管制条例', '最终用户证书'],
  },
  '04': {
    en: ['national action plan', 'awareness campaign', 'national commission on small arms'],
    fr: [
      "plan d'action national",
      'campagne de sensibilisation',
      'commission nationale sur les armes légères',
    ],
    es: [
      'plan de acción nacional',
      'campaña de sensibilización',
      'comisión nacional de armas pequeñas',
    ],
    ru: ['национальный план действий', 'информационная кампания', 'национальная комиссия'],
    ar: ['خطة العمل الوطنية', 'حملة توعية', 'اللجنة الوطنية للأسلحة الصغيرة'],
    zh: ['国家行动计划', '宣传运动', '国家小武器委员会'],
  },
  '05': {
    en: [
      'weapons marking',
      'stockpile management',
      'armoury security',
      'record-keeping database',
      'tracing of illicit weapons',
      'weapons collection',
      'destruction of surplus weapons',
      'border control',
    ],
    fr: [
      'marquage des armes',
      'gestion des stocks',
      'sécurité des armureries',
      'registre des armes',
      'traçage des armes illicites',
      'collecte des armes',
      'destruction des armes excédentaires',
      'contrôle des frontières',
    ],
    es: [
      'marcaje de armas',
      'gestión de arsenales',
      'seguridad de armerías',
      'registro de armas',
      'rastreo de armas ilícitas',
      'recolección de armas',
      'destrucción de armas excedentes',
      'control fronterizo',
    ],
    ru: [
      'маркировка оружия',
      'управление запасами',
      'безопасность арсеналов',
      'учёт оружия',
      'отслеживание незаконного оружия',
      'сбор оружия',
      'уничтожение излишков оружия',
      'пограничный контроль',
    ],
    ar: [
      'وسم الأسلحة',
      'إدارة المخزونات',
      'أمن مستودعات الأسلحة',
      'سجلات الأسلحة',
      'تعقب الأسلحة غير المشروعة',
      'جمع الأسلحة',
      'تدمير الأسلحة الفائضة',
      'مراقبة الحدود',
    ],
    zh: [
      '武器标识',
      '库存管理',
      '军械库安全',
      '武器登记',
      '非法武器追查',
      '武器收缴',
      '销毁剩余武器',
      '边境管制',
    ],
  },
  '06': {
    en: ['gender mainstreaming', 'youth and small arms', 'women in arms control'],
    fr: ['intégration du genre', 'jeunes et armes légères', 'femmes et contrôle des armes'],
    es: ['integración de género', 'jóvenes y armas pequeñas', 'mujeres en el control de armas'],
    ru: ['гендерный подход', 'молодёжь и стрелковое оружие', 'женщины и контроль над оружием'],
    ar: ['تعميم مراعاة المنظور الجنساني', 'الشباب والأسلحة الصغيرة', 'المرأة وتحديد الأسلحة'],
    zh: ['性别主流化', '青年与小武器', '妇女参与武器管制'],
  },
  AMMO: {
    en: ['ammunition storage', 'ammunition surveillance'],
    fr: ['stockage des munitions', 'surveillance des munitions'],
    es: ['almacenamiento de municiones', 'vigilancia de municiones'],
    ru: ['хранение боеприпасов', 'контроль боеприпасов'],
    ar: ['تخزين الذخائر', 'مراقبة الذخائر'],
    zh: ['弹药储存', '弹药监测'],
  },
  BRK: {
    en: ['brokering controls'],
    fr: ['contrôle du courtage'],
    es: ['control del corretaje'],
    ru: ['контроль брокерской деятельности'],
    ar: ['مراقبة السمسرة'],
    zh: ['中介活动管制'],
  },
  REP: {
    en: ['national reporting'],
    fr: ['rapports nationaux'],
    es: ['informes nacionales'],
    ru: ['национальная отчётность'],
    ar: ['التقارير الوطنية'],
    zh: ['国家报告'],
  },
};

const NEED_FRAMES: Record<Language, [string, string]> = {
  en: ['Support for {t} of the {o}', 'The {o} requests help with {t}, including {u}.'],
  fr: ['Appui à {t} pour la {o}', 'La {o} demande un appui pour {t}, notamment {u}.'],
  es: ['Apoyo para {t} de la {o}', 'La {o} solicita apoyo para {t}, incluido {u}.'],
  ru: ['Поддержка: {t} для {o}', '{o} просит помощи: {t}, в том числе {u}.'],
  ar: ['دعم {t} لدى {o}', 'تطلب {o} المساعدة في {t}، بما في ذلك {u}.'],
  zh: ['{o}{t}支助', '{o}请求协助{t}，包括{u}。'],
};
const OFFER_FRAMES: Record<Language, [string, string]> = {
  en: ['{t} programme', 'Funding and expertise for {t} and {u} in partner States.'],
  fr: ['Programme {t}', 'Financement et expertise pour {t} et {u} dans les États partenaires.'],
  es: ['Programa de {t}', 'Financiación y pericia para {t} y {u} en Estados asociados.'],
  ru: ['Программа: {t}', 'Финансирование и экспертиза: {t} и {u} в государствах-партнёрах.'],
  ar: ['برنامج {t}', 'تمويل وخبرة في {t} و{u} في الدول الشريكة.'],
  zh: ['{t}方案', '为伙伴国家的{t}和{u}提供资金和专门知识。'],
};
const OWNERS: Record<Language, string[]> = {
  en: ['national police', 'armed forces', 'customs service', 'border guards', 'prison service'],
  fr: ['police nationale', 'gendarmerie', 'douane', 'armée de terre'],
  es: ['policía nacional', 'fuerzas armadas', 'aduana', 'guardia fronteriza'],
  ru: ['национальной полиции', 'таможенной службы', 'пограничной службы'],
  ar: ['الشرطة الوطنية', 'الجمارك', 'القوات المسلحة', 'حرس الحدود'],
  zh: ['国家警察', '海关', '武装部队', '边防部队'],
};

export interface CountryRow {
  alpha3: string;
  region_code: string;
  sub_region_code: string;
  intermediate_region_code: string | null;
  regional_group: string | null;
}

/** The UN language a State most likely writes in (by region, with the usual exceptions). */
export function usualLanguage(c: CountryRow, r: () => number): Language {
  const arab = [
    'DZA',
    'BHR',
    'EGY',
    'IRQ',
    'JOR',
    'KWT',
    'LBN',
    'LBY',
    'MRT',
    'MAR',
    'OMN',
    'QAT',
    'SAU',
    'SDN',
    'SYR',
    'TUN',
    'ARE',
    'YEM',
    'DJI',
    'COM',
    'SOM',
  ];
  const french = [
    'BEN',
    'BFA',
    'BDI',
    'CMR',
    'CAF',
    'TCD',
    'COG',
    'COD',
    'CIV',
    'GAB',
    'GIN',
    'HTI',
    'MDG',
    'MLI',
    'NER',
    'RWA',
    'SEN',
    'TGO',
    'FRA',
    'BEL',
    'LUX',
    'MCO',
  ];
  const russian = ['RUS', 'BLR', 'KAZ', 'KGZ', 'TJK', 'UZB', 'TKM', 'ARM', 'AZE'];
  if (arab.includes(c.alpha3)) return 'ar';
  if (french.includes(c.alpha3)) return 'fr';
  if (russian.includes(c.alpha3)) return 'ru';
  if (c.alpha3 === 'CHN') return 'zh';
  if (c.region_code === '019' && c.sub_region_code !== '021' && c.alpha3 !== 'BRA')
    return r() < 0.85 ? 'es' : 'en';
  return r() < 0.9 ? 'en' : (['fr', 'es'] as const)[Math.floor(r() * 2)];
}

export interface Taxonomy {
  series: Record<string, string[]>;
  types: string[];
}

export async function loadReference(ds: DataSource) {
  const countries: CountryRow[] = await ds.query(
    `SELECT alpha3, region_code, sub_region_code, intermediate_region_code, regional_group FROM country ORDER BY alpha3`,
  );
  const areas: { code: string; kind: string; series: string | null }[] = await ds.query(
    `SELECT code, kind, series FROM control_area ORDER BY sort_order`,
  );
  const series: Record<string, string[]> = {};
  for (const a of areas) {
    if (a.kind === 'series' || a.kind === 'platform') series[a.code] ??= [];
    if (a.kind === 'module') (series[a.series!] ??= []).push(a.code);
  }
  const types: string[] = (
    await ds.query(`SELECT code FROM assistance_type ORDER BY sort_order`)
  ).map((t: { code: string }) => t.code);
  return { countries, taxonomy: { series, types } as Taxonomy };
}

export interface WorldOptions {
  needs: number;
  offers: number;
  seed?: number;
  /** Share of needs that are open (published or partially covered); the rest are drafts etc. */
  openShare?: number;
  /** Share of offers that are active. */
  activeShare?: number;
  donors?: number;
}

const SERIES_WEIGHT: [string, number][] = [
  ['05', 0.45],
  ['03', 0.15],
  ['04', 0.1],
  ['02', 0.08],
  ['06', 0.06],
  ['AMMO', 0.1],
  ['BRK', 0.03],
  ['REP', 0.03],
];

export function pickWeighted<T>(r: () => number, xs: [T, number][]): T {
  let x = r() * xs.reduce((s, [, w]) => s + w, 0);
  for (const [v, w] of xs) if ((x -= w) <= 0) return v;
  return xs[xs.length - 1][0];
}

const day = (d: number) =>
  new Date(Date.UTC(2025, 0, 1) + d * 86_400_000).toISOString().slice(0, 10);

function fill(frame: string, vars: Record<string, string>) {
  return frame.replace(/\{(\w)\}/g, (_, k: string) => vars[k] ?? '');
}

/** Picks `n` distinct areas, mostly in one series. */
export function pickAreas(r: () => number, tax: Taxonomy, n: number): string[] {
  const main = pickWeighted(r, SERIES_WEIGHT);
  const out = new Set<string>();
  while (out.size < n) {
    const s = r() < 0.75 ? main : pickWeighted(r, SERIES_WEIGHT);
    const modules = tax.series[s];
    out.add(modules.length && r() < 0.9 ? modules[Math.floor(r() * modules.length)] : s);
  }
  return [...out];
}

export function topicOf(area: string, language: Language, r: () => number): string {
  const series = /^\d{2}/.test(area) ? area.slice(0, 2) : area;
  const bank = TOPICS[series]?.[language] ?? TOPICS['05'][language];
  return bank[Math.floor(r() * bank.length)];
}

/** Inserts the world; returns the ids of the open needs and active offers. */
export async function seedWorld(ds: DataSource, o: WorldOptions): Promise<{ parties: number }> {
  const r = rng(o.seed ?? 62_47);
  const { countries, taxonomy } = await loadReference(ds);
  await ds.query(`
    INSERT INTO party (type, name, country_code, active)
    SELECT 'state', c.names->>'en', c.alpha3, true FROM country c
    WHERE NOT EXISTS (SELECT 1 FROM party p WHERE p.country_code = c.alpha3)`);
  const stateParty = new Map<string, string>(
    (await ds.query(`SELECT id, country_code FROM party WHERE type = 'state'`)).map(
      (p: { id: string; country_code: string }) => [p.country_code, p.id],
    ),
  );
  const donorCount = o.donors ?? 40;
  const donors: string[] = [];
  for (let i = 0; i < donorCount; i++) {
    const [p] = await ds.query(
      `INSERT INTO party (type, name, active) VALUES ($1, $2, true) RETURNING id`,
      [
        i % 8 === 0 ? 'trust_fund' : i % 5 === 0 ? 'international_organisation' : 'ngo',
        `Donor ${i + 1}`,
      ],
    );
    donors.push(p.id);
  }
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)];
  const some = <T>(xs: readonly T[], min: number, max: number) => {
    const n = min + Math.floor(r() * (max - min + 1));
    const out = new Set<T>();
    while (out.size < Math.min(n, xs.length)) out.add(pick(xs));
    return [...out];
  };
  const languages = new Map(countries.map((c) => [c.alpha3, usualLanguage(c, r)]));
  // Larger, more fragile States file more needs.
  const weightOf = new Map(countries.map((c) => [c.alpha3, 0.3 + r() * r() * 3]));
  const weighted: [CountryRow, number][] = countries.map((c) => [c, weightOf.get(c.alpha3)!]);

  const openShare = o.openShare ?? 0.85;
  const needs: Record<string, unknown>[] = [];
  const flushNeeds = async () => {
    if (!needs.length) return;
    await ds.query(
      `INSERT INTO need (party_id, country_code, title, description, language, control_areas,
         assistance_types, frameworks, priority, rank, estimated_amount, estimated_currency,
         estimated_usd, usd_rate, rate_date, earliest_start, needed_by, visibility, status,
         filed_on_behalf, published_at)
       SELECT party_id, country_code, title, description, language, control_areas, assistance_types,
         frameworks, priority, rank, cost, 'USD', cost, 1, '2025-01-01', earliest_start, needed_by,
         visibility, status, false, CASE WHEN status IN ('published','partially_covered') THEN now() END
       FROM jsonb_to_recordset($1::jsonb) AS r(party_id uuid, country_code text, title text,
         description text, language text, control_areas text[], assistance_types text[],
         frameworks text[], priority text, rank int, cost numeric, earliest_start date,
         needed_by date, visibility text, status text)`,
      [JSON.stringify(needs)],
    );
    needs.length = 0;
  };
  for (let i = 0; i < o.needs; i++) {
    const c = pickWeighted(r, weighted);
    const lang = r() < 0.85 ? languages.get(c.alpha3)! : pick(LANGUAGES);
    const areas = pickAreas(r, taxonomy, 1 + Math.floor(r() * r() * 3));
    const [title, desc] = NEED_FRAMES[lang];
    const owner = pick(OWNERS[lang]);
    const start = Math.floor(r() * 900);
    const open = r() < openShare;
    needs.push({
      party_id: stateParty.get(c.alpha3),
      country_code: c.alpha3,
      title: fill(title, { t: topicOf(areas[0], lang, r), o: owner }).slice(0, 200),
      description: fill(desc, {
        t: topicOf(areas[0], lang, r),
        o: owner,
        u: topicOf(areas[areas.length - 1], lang, r),
      }),
      language: lang,
      control_areas: areas,
      assistance_types: some(taxonomy.types, 1, 3),
      frameworks: [pick(['PoA', 'ITI', 'ATT'])],
      priority: pickWeighted(r, [
        ['high', 0.3],
        ['medium', 0.5],
        ['low', 0.2],
      ]),
      rank: r() < 0.3 ? 1 + Math.floor(r() * 12) : null,
      cost: Math.round(5000 * Math.exp(r() * Math.log(600))),
      earliest_start: r() < 0.2 ? null : day(start),
      needed_by: day(start + 90 + Math.floor(r() * 700)),
      visibility: pickWeighted(r, [
        ['public', 0.6],
        ['donors', 0.3],
        ['secretariat', 0.1],
      ]),
      status: open
        ? r() < 0.85
          ? 'published'
          : 'partially_covered'
        : pick(['draft', 'submitted', 'closed', 'covered']),
    });
    if (needs.length === 5000) await flushNeeds();
  }
  await flushNeeds();

  const regions = [...new Set(countries.flatMap((c) => [c.region_code, c.sub_region_code]))];
  const groups = ['AFRICAN', 'APG', 'EEG', 'GRULAC', 'WEOG'];
  const activeShare = o.activeShare ?? 0.8;
  const offers: Record<string, unknown>[] = [];
  const flushOffers = async () => {
    if (!offers.length) return;
    await ds.query(
      `INSERT INTO offer (party_id, title, description, control_areas, assistance_types,
         eligibility_regions, eligibility_groups, eligibility_countries, exclude_countries,
         budget_total, budget_currency, min_per_project, max_per_project, total_usd, rate_date,
         start_date, end_date, languages, modality, status)
       SELECT party_id, title, description, control_areas, assistance_types, eligibility_regions,
         eligibility_groups, eligibility_countries, exclude_countries, total, 'USD', min_pp, max_pp,
         total, '2025-01-01', start_date, end_date, languages, modality, status
       FROM jsonb_to_recordset($1::jsonb) AS r(party_id uuid, title text, description text,
         control_areas text[], assistance_types text[], eligibility_regions text[],
         eligibility_groups text[], eligibility_countries text[], exclude_countries text[],
         total numeric, min_pp numeric, max_pp numeric, start_date date, end_date date,
         languages text[], modality text, status text)`,
      [JSON.stringify(offers)],
    );
    offers.length = 0;
  };
  // Each donor has a focus: a region, a group, a few countries, or none.
  const focus = donors.map(() => {
    const x = r();
    if (x < 0.35) return { regions: [pick(regions)], groups: [], countries: [] };
    if (x < 0.5) return { regions: [], groups: [pick(groups)], countries: [] };
    if (x < 0.6)
      return {
        regions: [],
        groups: [],
        countries: some(
          countries.map((c) => c.alpha3),
          3,
          12,
        ),
      };
    return { regions: [], groups: [], countries: [] };
  });
  for (let i = 0; i < o.offers; i++) {
    const d = Math.floor(r() * donors.length);
    const lang = pickWeighted<Language>(r, [
      ['en', 0.6],
      ['fr', 0.15],
      ['es', 0.1],
      ['ru', 0.05],
      ['ar', 0.05],
      ['zh', 0.05],
    ]);
    const areas = pickAreas(r, taxonomy, 1 + Math.floor(r() * 4));
    const total = Math.round(50_000 * Math.exp(r() * Math.log(400)));
    const min = r() < 0.5 ? Math.round(total * 0.01 * (1 + r() * 4)) : null;
    const max = r() < 0.7 ? Math.max(min ?? 1, Math.round(total * (0.1 + r() * 0.5))) : null;
    const start = Math.floor(r() * 700);
    const [title, desc] = OFFER_FRAMES[lang];
    const f = focus[d];
    offers.push({
      party_id: donors[d],
      title: fill(title, { t: topicOf(areas[0], lang, r) }).slice(0, 200),
      description: fill(desc, {
        t: topicOf(areas[0], lang, r),
        u: topicOf(areas[areas.length - 1], lang, r),
      }),
      control_areas: areas,
      assistance_types: some(taxonomy.types, 2, 4),
      eligibility_regions: f.regions,
      eligibility_groups: f.groups,
      eligibility_countries: f.countries,
      exclude_countries:
        r() < 0.1
          ? some(
              countries.map((c) => c.alpha3),
              1,
              3,
            )
          : [],
      total,
      min_pp: min,
      max_pp: max,
      start_date: day(start),
      end_date: day(start + 180 + Math.floor(r() * 900)),
      languages: [...new Set([lang, ...some(['en', 'fr', 'es', 'ru', 'ar', 'zh'], 0, 2)])],
      modality: pick(['bilateral', 'trust_fund', 'experts', 'equipment']),
      status: r() < activeShare ? 'active' : pick(['draft', 'paused', 'closed']),
    });
    if (offers.length === 2000) await flushOffers();
  }
  await flushOffers();
  await ds.query('ANALYZE need');
  await ds.query('ANALYZE offer');
  return { parties: donors.length };
}
