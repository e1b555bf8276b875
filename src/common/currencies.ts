import currencyCodes from 'currency-codes';

/** ISO 4217 currency codes (maintained list from the `currency-codes` package). */
const CODES = new Set(currencyCodes.codes());

export function isIsoCurrency(code: string): boolean {
  return CODES.has(code);
}

export function allCurrencies(): string[] {
  return [...CODES].sort();
}
