import { registerDecorator, ValidationArguments, ValidationOptions } from 'class-validator';
import { AppException } from '../../common/errors';
import type { ReferenceKind, ReferenceService } from '../reference/reference.service';
import { isCalendarDate } from '../exchange-rates/calendar-date';

export interface CodeField {
  /** The body path, e.g. `controlAreas` or `items[2].controlAreas`. */
  field: string;
  kind: ReferenceKind;
  values: readonly string[] | undefined;
}

export interface UnknownReferenceDetail {
  field: string;
  messages: string[];
  /** Exactly the values that were not recognised, in input order. */
  values: string[];
}

const KIND_LABEL: Record<ReferenceKind, string> = {
  area: 'control area',
  assistanceType: 'assistance type',
  framework: 'framework',
  country: 'country',
  region: 'region',
  group: 'regional group',
};

/** 422 UNKNOWN_REFERENCE listing, per field, exactly the codes that are not recognised. */
export async function assertKnownCodes(
  reference: ReferenceService,
  fields: CodeField[],
): Promise<void> {
  const details: UnknownReferenceDetail[] = [];
  for (const f of fields) {
    if (!f.values?.length) continue;
    const unknown = await reference.unknownCodes(f.kind, f.values);
    if (unknown.length) {
      details.push({
        field: f.field,
        messages: [`Unknown ${KIND_LABEL[f.kind]} code(s): ${unknown.join(', ')}`],
        values: unknown,
      });
    }
  }
  if (details.length) {
    throw new AppException(
      'UNKNOWN_REFERENCE',
      `Unknown reference codes in: ${details.map((d) => d.field).join(', ')}`,
      details,
    );
  }
}

/** class-validator rule: this date is not after the date in `other` (when both are dates). */
export function IsNotAfter(other: string, options?: ValidationOptions) {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'isNotAfter',
      target: object.constructor,
      propertyName,
      constraints: [other],
      options: { message: `${propertyName} must not be after ${other}`, ...options },
      validator: {
        validate(value: unknown, args: ValidationArguments) {
          const end = (args.object as Record<string, unknown>)[other];
          if (!isCalendarDate(value) || !isCalendarDate(end)) return true;
          return value <= end;
        },
      },
    });
}

/** 400 for a reversed window found after merging a PATCH with the stored record. */
export function reversedWindow(field: string, other: string): AppException {
  return new AppException('VALIDATION_FAILED', `Invalid input: ${field}`, [
    { field, messages: [`${field} must not be after ${other}`] },
  ]);
}

export const trimString = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? value.trim() : value;
