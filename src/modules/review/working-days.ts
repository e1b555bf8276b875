/**
 * `from` plus `days` working days (Monday to Friday, UTC), at the same time of day: the
 * no-objection period of a need filed on a State's behalf (as the 1540 Committee counts it).
 * Public holidays are not modelled. 0 days is `from` itself.
 */
export function addWorkingDays(from: Date, days: number): Date {
  const out = new Date(from.getTime());
  let left = days;
  while (left > 0) {
    out.setUTCDate(out.getUTCDate() + 1);
    const day = out.getUTCDay();
    if (day !== 0 && day !== 6) left--;
  }
  return out;
}
