import { AppException } from '../../common/errors';
import type { CodeList, Labels } from './console-reference';
import type { FormBody } from './forms';

export type FormValues = Record<string, string | string[]>;

/** The record version a form was loaded at (hidden `version` field); 400 when missing. */
export function versionOf(body: FormBody): number {
  const raw = typeof body.version === 'string' ? body.version : '';
  if (!/^\d{1,10}$/.test(raw)) {
    throw new AppException(
      'BAD_REQUEST',
      'The form does not say which version it edits; reload it',
    );
  }
  return Number(raw);
}

/** The string query parameters a list page knows (others ignored; arrays take the first). */
export function listQuery(raw: Record<string, unknown>, names: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of names) {
    const v = Array.isArray(raw[name]) ? (raw[name] as unknown[])[0] : raw[name];
    if (typeof v === 'string' && v.trim() !== '') out[name] = v.trim().slice(0, 200);
  }
  return out;
}

/**
 * A record list page's filters (`q`, `status`, `cursor`, and `mine`) and the list query they
 * make, 25 a page; a status that is not one of `statuses` is ignored.
 */
export function recordListQuery<Status extends string>(
  raw: Record<string, unknown>,
  statuses: readonly Status[],
): {
  filters: Record<string, string>;
  query: { limit: number; q?: string; status?: Status; cursor?: string };
} {
  const filters = listQuery(raw, ['q', 'status', 'cursor', 'mine']);
  const query: { limit: number; q?: string; status?: Status; cursor?: string } = { limit: 25 };
  if (filters.q) query.q = filters.q;
  if (filters.status && (statuses as readonly string[]).includes(filters.status)) {
    query.status = filters.status as Status;
  }
  if (filters.cursor) query.cursor = filters.cursor;
  return { filters, query };
}

const same = (a: string | string[] | undefined, b: string | string[] | undefined) =>
  JSON.stringify(Array.isArray(a) ? [...a].sort() : (a ?? '')) ===
  JSON.stringify(Array.isArray(b) ? [...b].sort() : (b ?? ''));

export interface ConflictRow {
  field: string;
  labelKey: string;
  theirs: string;
  mine: string;
  differs: boolean;
}

/** Each field with the stored value ("theirs") beside the submitted one ("mine"). */
export function conflictRows(
  fields: readonly string[],
  theirs: FormValues,
  mine: FormValues,
  show: (field: string, value: string | string[]) => string,
  labelPrefix: string,
): ConflictRow[] {
  return fields.map((field) => ({
    field,
    labelKey: `${labelPrefix}${field}`,
    theirs: show(field, theirs[field] ?? ''),
    mine: show(field, mine[field] ?? ''),
    differs: !same(theirs[field], mine[field]),
  }));
}

/** The submitted values as hidden inputs, to apply them again on the newer version. */
export function hiddenFields(values: FormValues): { name: string; value: string }[] {
  return Object.entries(values).flatMap(([name, v]) =>
    (Array.isArray(v) ? v : [v]).map((value) => ({ name, value })),
  );
}

/** An edit that hit a newer version: the stored record beside the submitted form. */
export interface Conflict {
  kind: 'need' | 'offer';
  id: string;
  title: string;
  currentVersion: number;
  yourVersion: number;
  /** The form's fields, in page order; their labels are `<kind>.field.<field>`. */
  fields: readonly string[];
  theirs: FormValues;
  mine: FormValues;
  /** The fields that hold codes, shown by their titles. */
  codeLists: Partial<Record<string, CodeList>>;
}

/** The data of the conflict page (`views/conflict.eta`). */
export function conflictView(c: Conflict, labels: Labels) {
  const show = (field: string, value: string | string[]) => {
    const list = c.codeLists[field];
    if (list) return labels[list](Array.isArray(value) ? value : [value]).join('; ');
    return Array.isArray(value) ? value.join('; ') : value;
  };
  const href = `/app/${c.kind}s/${c.id}`;
  return {
    kind: c.kind,
    title: c.title,
    recordHref: href,
    action: href,
    currentVersion: c.currentVersion,
    yourVersion: c.yourVersion,
    rows: conflictRows(c.fields, c.theirs, c.mine, show, `${c.kind}.field.`),
    hidden: hiddenFields(c.mine),
  };
}
