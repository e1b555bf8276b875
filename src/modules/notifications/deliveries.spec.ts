import { backoffMs } from './deliveries.service';
import { NOTIFICATION_TYPE_NAMES, WEBHOOK_EVENT_TYPES } from './notification-types';
import { en } from '../email/messages/en';

describe('delivery schedule', () => {
  it('doubles from the base delay and caps each delay', () => {
    expect([1, 2, 3, 4, 5].map((a) => backoffMs(200, a, 10_000))).toEqual([
      200, 400, 800, 1600, 3200,
    ]);
    expect(backoffMs(60_000, 12, 6 * 3600_000)).toBe(6 * 3600_000);
  });

  it('with the defaults, webhook retries span at least 24 hours', () => {
    // Attempts continue until one fails after the 24 h window; the delays before it add up.
    let elapsed = 0;
    let attempt = 1;
    while (elapsed < 24 * 3600_000) elapsed += backoffMs(60_000, attempt++, 21_600_000);
    expect(elapsed).toBeGreaterThanOrEqual(24 * 3600_000);
    expect(attempt).toBeGreaterThan(10);
  });
});

describe('notification catalogue', () => {
  it('every type has a title and a body in the reference language', () => {
    for (const type of NOTIFICATION_TYPE_NAMES) {
      expect(Object.keys(en)).toContain(`${type}.title`);
      expect(Object.keys(en)).toContain(`${type}.body`);
    }
  });

  it('a webhook is never told that webhooks are disabled', () => {
    expect(WEBHOOK_EVENT_TYPES).not.toContain('webhook.disabled');
    expect(WEBHOOK_EVENT_TYPES).toContain('match.proposed');
  });
});
