import { addWorkingDays } from './working-days';

describe('addWorkingDays', () => {
  const at = (iso: string) => new Date(iso);

  it('counts Monday to Friday only, keeping the time of day', () => {
    // Monday 2026-03-02 10:00 + 5 working days = Monday 2026-03-09 10:00
    expect(addWorkingDays(at('2026-03-02T10:00:00Z'), 5).toISOString()).toBe(
      '2026-03-09T10:00:00.000Z',
    );
    // Thursday + 2 = Monday
    expect(addWorkingDays(at('2026-03-05T08:30:00Z'), 2).toISOString()).toBe(
      '2026-03-09T08:30:00.000Z',
    );
  });

  it('skips the weekend when starting on one', () => {
    // Saturday + 1 = Monday
    expect(addWorkingDays(at('2026-03-07T12:00:00Z'), 1).toISOString()).toBe(
      '2026-03-09T12:00:00.000Z',
    );
  });

  it('zero days is the start itself', () => {
    expect(addWorkingDays(at('2026-03-07T12:00:00Z'), 0).toISOString()).toBe(
      '2026-03-07T12:00:00.000Z',
    );
  });
});
