/**
 * The platform's control-area, assistance-type and framework codes (shared/TAXONOMY.md).
 * Codes are stable: other tables store them. Titles are the official English ones.
 *
 * Control areas come in three kinds:
 * - `series`: a MOSAIC series (`05`); citing it means "any module of the series";
 * - `module`: a MOSAIC module (`05.30`), whose `series` is its parent series code;
 * - `platform`: areas MOSAIC does not cover but needs often cite (`AMMO`, `BRK`, `REP`).
 */

export type ControlAreaKind = 'series' | 'module' | 'platform';

export interface ControlAreaDefinition {
  code: string;
  kind: ControlAreaKind;
  series: string | null;
  title: string;
  sortOrder: number;
}

export interface AssistanceTypeDefinition {
  code: string;
  title: string;
  sortOrder: number;
}

export interface FrameworkDefinition {
  code: string;
  title: string;
  year: number;
  sortOrder: number;
}

type SeriesSpec = { code: string; title: string; modules: Array<[code: string, title: string]> };

/** Modular Small-arms-control Implementation Compendium (MOSAIC), series and modules. */
const MOSAIC: SeriesSpec[] = [
  {
    code: '02',
    title: 'SALW control in context',
    modules: [
      ['02.10', 'SALW control in the context of preventing armed violence'],
      ['02.20', 'SALW control in the context of security sector reform'],
      ['02.30', 'SALW control in the context of disarmament, demobilization and reintegration'],
    ],
  },
  {
    code: '03',
    title: 'Legislative and regulatory',
    modules: [
      ['03.10', 'National controls over the manufacture of SALW'],
      ['03.20', 'National controls over the international transfer of SALW'],
      [
        '03.21',
        'National controls over the end-user and end-use of internationally transferred SALW',
      ],
      ['03.30', 'National regulation of civilian access to SALW'],
      ['03.40', 'National coordination mechanisms on SALW control'],
      ['03.50', 'Criminal justice responses to the illicit proliferation of SALW'],
      ['03.60', 'SALW control in the context of gun-free zones'],
    ],
  },
  {
    code: '04',
    title: 'Design and management',
    modules: [
      ['04.10', 'Designing and implementing a National Action Plan'],
      ['04.30', 'Raising awareness of the need for SALW control'],
    ],
  },
  {
    code: '05',
    title: 'Operational support',
    modules: [
      ['05.10', 'Conducting SALW surveys'],
      ['05.20', 'Stockpile management: weapons'],
      ['05.30', 'Marking and recordkeeping'],
      ['05.31', 'Tracing illicit SALW'],
      ['05.40', 'Collection of illicit and unwanted SALW'],
      ['05.50', 'Destruction: weapons'],
      ['05.55', 'Permanent deactivation of SALW'],
      ['05.60', 'Border controls and law enforcement cooperation'],
    ],
  },
  {
    code: '06',
    title: 'Cross-cutting',
    modules: [
      ['06.10', 'Women, men and the gendered nature of SALW'],
      ['06.20', 'Children, adolescents, youth and SALW'],
    ],
  },
];

/** Areas outside MOSAIC, with the platform's own codes. */
const PLATFORM_AREAS: Array<[code: string, title: string]> = [
  // Under the UN International Ammunition Technical Guidelines (IATG).
  ['AMMO', 'Ammunition management'],
  // PoA and the 2007 report of the Group of Governmental Experts on brokering.
  ['BRK', 'Brokering controls'],
  ['REP', 'National reporting on the PoA and ITI'],
];

function buildControlAreas(): ControlAreaDefinition[] {
  const rows: ControlAreaDefinition[] = [];
  for (const series of MOSAIC) {
    rows.push({
      code: series.code,
      kind: 'series',
      series: null,
      title: series.title,
      sortOrder: 0,
    });
    for (const [code, title] of series.modules) {
      rows.push({ code, kind: 'module', series: series.code, title, sortOrder: 0 });
    }
  }
  for (const [code, title] of PLATFORM_AREAS) {
    rows.push({ code, kind: 'platform', series: null, title, sortOrder: 0 });
  }
  // Series first, each followed by its modules, then the platform areas; steps of 10 leave room.
  return rows.map((row, index) => ({ ...row, sortOrder: (index + 1) * 10 }));
}

export const CONTROL_AREAS: readonly ControlAreaDefinition[] = buildControlAreas();

/** Forms of assistance (ATT article 16 and the 1540/BWC assistance forms). */
export const ASSISTANCE_TYPES: readonly AssistanceTypeDefinition[] = [
  { code: 'legal', title: 'Legal and legislative assistance', sortOrder: 10 },
  { code: 'institutional', title: 'Institutional capacity-building', sortOrder: 20 },
  { code: 'technical', title: 'Technical assistance', sortOrder: 30 },
  { code: 'equipment', title: 'Material and equipment', sortOrder: 40 },
  { code: 'financial', title: 'Financial assistance', sortOrder: 50 },
  { code: 'training', title: 'Training', sortOrder: 60 },
  { code: 'experts', title: 'Deployment of experts', sortOrder: 70 },
];

/** International instruments a need or offer may cite. Extensible by a later migration. */
export const FRAMEWORKS: readonly FrameworkDefinition[] = [
  {
    code: 'PoA',
    title:
      'Programme of Action to Prevent, Combat and Eradicate the Illicit Trade in Small Arms and Light Weapons in All Its Aspects',
    year: 2001,
    sortOrder: 10,
  },
  {
    code: 'ITI',
    title:
      'International Instrument to Enable States to Identify and Trace, in a Timely and Reliable Manner, Illicit Small Arms and Light Weapons',
    year: 2005,
    sortOrder: 20,
  },
  { code: 'ATT', title: 'Arms Trade Treaty', year: 2013, sortOrder: 30 },
];
