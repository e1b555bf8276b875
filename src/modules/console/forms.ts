import type { Type } from '@nestjs/common';
import { AppException, FieldProblem } from '../../common/errors';
import { createValidationPipe } from '../../common/validation';

/** A urlencoded form body: repeated names (multi-selects) arrive as arrays. */
export type FormBody = Record<string, string | string[] | undefined>;

/** The field's single value, trimmed ('' when absent). */
export function text(body: FormBody, name: string): string {
  const v = body[name];
  return (Array.isArray(v) ? (v[0] ?? '') : (v ?? '')).trim();
}

/** The field's values (multi-select or checkboxes), empty ones dropped. */
export function list(body: FormBody, name: string): string[] {
  const v = body[name];
  return (Array.isArray(v) ? v : v === undefined ? [] : [v]).map((s) => s.trim()).filter(Boolean);
}

/** '' → undefined; a number → the number; anything else stays a string for the validator to name. */
export function numberOrRaw(value: string): number | string | undefined {
  if (value === '') return undefined;
  const n = Number(value.replace(/[\s,]/g, ''));
  return Number.isFinite(n) ? n : value;
}

/** '' → `empty` (undefined on create, null to clear on edit), else the value. */
export function optional<T>(value: string, empty: T): string | T {
  return value === '' ? empty : value;
}

/** The API's own validation (same DTO classes, same messages) applied to a console form. */
export async function validated<T extends object>(dto: Type<T>, plain: object): Promise<T> {
  return (await createValidationPipe().transform(plain, { type: 'body', metatype: dto })) as T;
}

/** Field problems of a service error (validation or unknown reference), else none. */
export function fieldProblems(error: unknown): FieldProblem[] {
  if (!(error instanceof AppException) || !Array.isArray(error.details)) return [];
  return (error.details as unknown[]).filter(
    (d): d is FieldProblem =>
      !!d &&
      typeof (d as FieldProblem).field === 'string' &&
      Array.isArray((d as FieldProblem).messages),
  );
}

/** Errors a form shows next to its fields and in the summary at the top. */
export interface FormErrors {
  /** Messages per form field name (dotted like the API: `estimatedCost.amount`). */
  fields: Record<string, string[]>;
  /** Everything, in order, for the summary: each with the field to link to, if it is on the form. */
  summary: { field: string | null; message: string }[];
}

/**
 * Sorts a service error's messages onto the form's fields. A problem named after a nested
 * object (`budget`) goes to the form field given in `aliases`; one the form has no field for
 * goes to the summary only. Returns null for errors that are not about the input.
 */
export function formErrors(
  error: unknown,
  formFields: readonly string[],
  aliases: Record<string, string> = {},
): FormErrors | null {
  if (!(error instanceof AppException)) return null;
  if (
    ![
      'VALIDATION_FAILED',
      'UNKNOWN_REFERENCE',
      'UNPROCESSABLE',
      'BAD_REQUEST',
      'CONFLICT',
      // A filter value the reference data does not know names its parameter the same way.
      'UNKNOWN_FILTER_VALUE',
    ].includes(error.code)
  ) {
    return null;
  }
  const out: FormErrors = { fields: {}, summary: [] };
  const problems = fieldProblems(error);
  if (!problems.length) {
    out.summary.push({ field: null, message: error.message });
    return out;
  }
  for (const p of problems) {
    const raw = p.field.replace(/\[\d+\]$/, '');
    const field = formFields.includes(raw) ? raw : (aliases[raw] ?? null);
    for (const message of p.messages) {
      if (field) (out.fields[field] ??= []).push(message);
      out.summary.push({ field, message });
    }
  }
  return out;
}

/** The id of a form field's input (`estimatedCost.amount` → `f-estimatedCost-amount`). */
export function fieldId(name: string): string {
  return `f-${name.replace(/[^A-Za-z0-9_-]/g, '-')}`;
}
