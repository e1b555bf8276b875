import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { parse } from 'csv-parse/sync';
import { flattenValidationErrors } from '../../common/validation';
import { CreateNeedDto } from '../needs/dto/need.dto';
import { CreateOfferDto } from '../offers/dto/offer.dto';
import { CreatePlanDto } from '../plans/dto/plan.dto';

export const IMPORT_KINDS = ['needs', 'plans', 'offers'] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];
export const IMPORT_FORMATS = ['csv', 'json'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

/** At most this many rows (CSV lines or JSON records) per file. */
export const MAX_IMPORT_ROWS = 5000;

export interface ImportProblem {
  /** CSV: the line of the file (the header is line 1). JSON: the record's position, from 1. */
  line: number;
  /** The CSV column (or JSON field path) at fault; `row` or `file` for the whole. */
  field: string;
  reason: string;
}

/** One record to store: its body in the API's create shape and its stable external reference. */
export interface ImportRow {
  line: number;
  externalRef: string;
  body: Record<string, unknown>;
}

/**
 * CSV columns per kind, in template order. Lists (codes, languages) are separated by `;`.
 * The needs columns follow the assistance section of the PoA national report: area,
 * description, priority, cost and currency, time window.
 */
export const CSV_COLUMNS: Record<ImportKind, { required: string[]; optional: string[] }> = {
  needs: {
    required: [
      'externalRef',
      'title',
      'description',
      'language',
      'controlAreas',
      'assistanceTypes',
      'priority',
      'cost',
      'currency',
      'neededBy',
      'visibility',
    ],
    optional: ['frameworks', 'rank', 'earliestStart', 'location', 'implementer'],
  },
  offers: {
    required: [
      'externalRef',
      'title',
      'description',
      'controlAreas',
      'assistanceTypes',
      'budgetTotal',
      'currency',
      'startDate',
      'endDate',
      'languages',
      'modality',
    ],
    optional: [
      'minPerProject',
      'maxPerProject',
      'regions',
      'groups',
      'countries',
      'excludeCountries',
      'conditions',
    ],
  },
  plans: {
    // One line per plan item; lines sharing an externalRef form one plan.
    required: [
      'externalRef',
      'title',
      'periodStart',
      'periodEnd',
      'coordinatingBody',
      'itemTitle',
      'itemRank',
      'itemControlAreas',
    ],
    optional: [],
  },
};

/** DTO field path → CSV column, for reporting problems in the file's own terms. */
const CSV_FIELD: Record<ImportKind, Record<string, string>> = {
  needs: { 'estimatedCost.amount': 'cost', 'estimatedCost.currency': 'currency' },
  offers: {
    'budget.total': 'budgetTotal',
    'budget.currency': 'currency',
    'budget.minPerProject': 'minPerProject',
    'budget.maxPerProject': 'maxPerProject',
    'eligibility.regions': 'regions',
    'eligibility.groups': 'groups',
    'eligibility.countries': 'countries',
    'eligibility.excludeCountries': 'excludeCountries',
  },
  plans: {},
};

export function csvField(kind: ImportKind, format: ImportFormat, field: string): string {
  if (format !== 'csv') return field;
  const item = /^items(?:\.|\[)(\d+)\]?\.(\w+)/.exec(field);
  if (kind === 'plans' && item) {
    return `item${item[2][0].toUpperCase()}${item[2].slice(1)}`;
  }
  return CSV_FIELD[kind][field] ?? field;
}

const list = (v: string | undefined) =>
  v === undefined || v === ''
    ? []
    : v
        .split(';')
        .map((s) => s.trim())
        .filter(Boolean);
const opt = (v: string | undefined) => (v === undefined || v === '' ? undefined : v);
/** A number cell: empty → absent, otherwise Number (NaN fails validation with a clear message). */
const numberCell = (v: string | undefined) => (opt(v) === undefined ? undefined : Number(v));

function needBody(c: Record<string, string>): Record<string, unknown> {
  return {
    title: c.title,
    description: c.description,
    language: c.language,
    controlAreas: list(c.controlAreas),
    assistanceTypes: list(c.assistanceTypes),
    frameworks: list(c.frameworks),
    priority: c.priority,
    rank: numberCell(c.rank),
    estimatedCost: { amount: numberCell(c.cost), currency: c.currency },
    earliestStart: opt(c.earliestStart),
    neededBy: c.neededBy,
    visibility: c.visibility,
    location: opt(c.location),
    implementer: opt(c.implementer),
  };
}

function offerBody(c: Record<string, string>): Record<string, unknown> {
  return {
    title: c.title,
    description: c.description,
    controlAreas: list(c.controlAreas),
    assistanceTypes: list(c.assistanceTypes),
    eligibility: {
      regions: list(c.regions),
      groups: list(c.groups),
      countries: list(c.countries),
      excludeCountries: list(c.excludeCountries),
    },
    budget: {
      total: numberCell(c.budgetTotal),
      currency: c.currency,
      minPerProject: numberCell(c.minPerProject),
      maxPerProject: numberCell(c.maxPerProject),
    },
    startDate: c.startDate,
    endDate: c.endDate,
    languages: list(c.languages),
    modality: c.modality,
    conditions: opt(c.conditions),
  };
}

interface ParsedFile {
  rows: ImportRow[];
  problems: ImportProblem[];
}

function parseCsv(kind: ImportKind, content: string): ParsedFile {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(content, {
      bom: true,
      info: true,
      trim: true,
      skip_empty_lines: true,
      relax_column_count: true,
    }) as unknown as { record: string[]; info: { lines: number } }[];
  } catch (error) {
    const e = error as Error & { lines?: number };
    return { rows: [], problems: [{ line: e.lines ?? 1, field: 'file', reason: e.message }] };
  }
  const spec = CSV_COLUMNS[kind];
  if (!records.length) {
    return { rows: [], problems: [{ line: 1, field: 'header', reason: 'empty file' }] };
  }
  const header = records[0].record;
  const known = [...spec.required, ...spec.optional];
  const problems: ImportProblem[] = [];
  for (const c of spec.required.filter((c) => !header.includes(c))) {
    problems.push({ line: 1, field: c, reason: `missing column ${c}` });
  }
  for (const c of header.filter((c) => !known.includes(c))) {
    problems.push({ line: 1, field: c, reason: `unknown column ${c}` });
  }
  if (problems.length) return { rows: [], problems };
  const lines = records.slice(1).map(({ record, info }) => ({
    line: info.lines,
    cells: Object.fromEntries(header.map((h, i) => [h, record[i] ?? ''])),
  }));
  if (kind !== 'plans') {
    return {
      rows: lines.map(({ line, cells }) => ({
        line,
        externalRef: cells.externalRef,
        body: kind === 'needs' ? needBody(cells) : offerBody(cells),
      })),
      problems,
    };
  }
  // Plans: one line per item, grouped by externalRef (the first line gives the plan's fields).
  const plans = new Map<string, ImportRow>();
  for (const { line, cells } of lines) {
    const item = {
      title: cells.itemTitle,
      rank: numberCell(cells.itemRank),
      controlAreas: list(cells.itemControlAreas),
    };
    const existing = plans.get(cells.externalRef);
    if (existing && cells.externalRef) {
      (existing.body.items as unknown[]).push(item);
      continue;
    }
    plans.set(cells.externalRef || `#${line}`, {
      line,
      externalRef: cells.externalRef,
      body: {
        title: cells.title,
        periodStart: cells.periodStart,
        periodEnd: cells.periodEnd,
        coordinatingBody: cells.coordinatingBody,
        items: [item],
      },
    });
  }
  return { rows: [...plans.values()], problems };
}

function parseJson(content: string): ParsedFile {
  let data: unknown;
  try {
    data = JSON.parse(content);
  } catch (error) {
    return { rows: [], problems: [{ line: 1, field: 'file', reason: (error as Error).message }] };
  }
  if (!Array.isArray(data)) {
    return {
      rows: [],
      problems: [{ line: 1, field: 'file', reason: 'expected a JSON array of records' }],
    };
  }
  const rows: ImportRow[] = [];
  const problems: ImportProblem[] = [];
  data.forEach((record: unknown, i) => {
    if (!record || typeof record !== 'object' || Array.isArray(record)) {
      problems.push({ line: i + 1, field: 'row', reason: 'expected an object' });
      return;
    }
    const { externalRef, ...body } = record as Record<string, unknown>;
    rows.push({
      line: i + 1,
      externalRef: typeof externalRef === 'string' ? externalRef : '',
      body,
    });
  });
  return { rows, problems };
}

const DTO: Record<ImportKind, new () => object> = {
  needs: CreateNeedDto,
  offers: CreateOfferDto,
  plans: CreatePlanDto,
};
export type CreateDto = CreateNeedDto | CreateOfferDto | CreatePlanDto;

export interface ValidRow {
  line: number;
  externalRef: string;
  dto: CreateDto;
}

/**
 * Parses a file and validates every row with the API's own rules (the create DTO through
 * class-validator, unknown fields refused). Codes, exchange rates and the State are checked
 * afterwards by the service's create, as for the API.
 */
export async function readImportFile(
  kind: ImportKind,
  format: ImportFormat,
  content: string,
): Promise<{ rows: ValidRow[]; problems: ImportProblem[]; total: number }> {
  const parsed = format === 'csv' ? parseCsv(kind, content) : parseJson(content);
  const problems = [...parsed.problems];
  const total = parsed.rows.length;
  if (total > MAX_IMPORT_ROWS) {
    problems.push({
      line: parsed.rows[MAX_IMPORT_ROWS].line,
      field: 'file',
      reason: `at most ${MAX_IMPORT_ROWS} rows per file`,
    });
    return { rows: [], problems, total };
  }
  const rows: ValidRow[] = [];
  const seen = new Map<string, number>();
  for (const row of parsed.rows) {
    const rowProblems: ImportProblem[] = [];
    const ref = row.externalRef.trim();
    if (!ref) {
      rowProblems.push({ line: row.line, field: 'externalRef', reason: 'externalRef is required' });
    } else if (ref.length > 100) {
      rowProblems.push({
        line: row.line,
        field: 'externalRef',
        reason: 'externalRef must be at most 100 characters',
      });
    } else if (seen.has(ref)) {
      rowProblems.push({
        line: row.line,
        field: 'externalRef',
        reason: `externalRef "${ref}" already used on line ${seen.get(ref)}`,
      });
    } else {
      seen.set(ref, row.line);
    }
    if ('partyId' in row.body) {
      rowProblems.push({
        line: row.line,
        field: 'partyId',
        reason: 'the party is given once for the whole import, not per row',
      });
    }
    const dto = plainToInstance(DTO[kind], row.body) as CreateDto;
    const errors = await validate(dto, { whitelist: true, forbidNonWhitelisted: true });
    for (const p of flattenValidationErrors(errors)) {
      for (const reason of p.messages) {
        rowProblems.push({ line: row.line, field: csvField(kind, format, p.field), reason });
      }
    }
    if (rowProblems.length) problems.push(...rowProblems);
    else rows.push({ line: row.line, externalRef: ref, dto });
  }
  return { rows, problems, total };
}
