import { isIsoCurrency } from '../../common/currencies';
import { isCalendarDate } from './calendar-date';

/** Rates are stored as numeric(20,10): positive, at least 1e-10, below one billion USD per unit. */
export const MAX_USD_PER_UNIT = 1e9;
export const MIN_USD_PER_UNIT = 1e-10;

const DECIMAL = /^\d{1,10}(\.\d{1,10})?$/;

/** Problems with a currency code, or none. */
export function currencyProblem(value: string): string | null {
  return isIsoCurrency(value) ? null : `"${value}" is not an ISO 4217 currency code`;
}

export function dateProblem(value: string): string | null {
  return isCalendarDate(value) ? null : `"${value}" is not a date written YYYY-MM-DD`;
}

/** A decimal string (as in a CSV file): digits, optional fraction of at most 10 digits. */
export function rateTextProblem(value: string): string | null {
  if (!DECIMAL.test(value)) {
    return `"${value}" is not a decimal number (digits, optional point and up to 10 decimals)`;
  }
  return rateNumberProblem(Number(value));
}

export function rateNumberProblem(value: number): string | null {
  if (!Number.isFinite(value) || value <= 0) return 'usd_per_unit must be greater than 0';
  if (value < MIN_USD_PER_UNIT) return `usd_per_unit must be at least ${MIN_USD_PER_UNIT}`;
  if (value >= MAX_USD_PER_UNIT) return 'usd_per_unit must be less than 1000000000';
  return null;
}
