import type { Browser, Page } from 'playwright-core';
import { DataSource } from 'typeorm';
import { totpCode } from '../../src/modules/auth/totp-codes';
import { createParty } from '../factories/identity.factory';
import type { TestApi } from '../utils/test-app';
import {
  bootListeningApi,
  consoleUser,
  ConsoleUser,
  launchChromium,
  pageWeight,
  signIn,
  unlabelled,
} from './console-harness';

jest.setTimeout(90000);

describe('web console in a browser: notifications, settings, account', () => {
  let api: TestApi;
  let base: string;
  let browser: Browser;
  let donor: ConsoleUser;

  beforeAll(async () => {
    ({ api, base } = await bootListeningApi({ env: { WRITE_RATE_LIMIT_PER_MIN: '100000' } }));
    const fund = await createParty(api, { type: 'trust_fund', name: 'UNSCAR' });
    donor = await consoleUser(api, fund.id, ['donor_focal_point']);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await api?.close();
  });

  it('labels every control, stays light and loads nothing external', async () => {
    const { context, page } = await signIn(browser, base, donor);
    const anonymous = await browser.newPage({ baseURL: base });
    const visits: [Page, string][] = [
      [page, '/app/notifications'],
      [page, '/app/notifications/preferences'],
      [page, '/app/account'],
      [anonymous, '/app/forgot-password'],
      [anonymous, '/app/reset-password?token=abc'],
    ];
    for (const [p, path] of visits) {
      await p.goto(path);
      expect({ path, unlabelled: await unlabelled(p) }).toEqual({ path, unlabelled: [] });
      await p.keyboard.press('Tab');
      await expect(p.evaluate(() => document.activeElement?.className)).resolves.toBe('skip');
      const fresh = await browser.newContext({ baseURL: base });
      await fresh.addCookies(await p.context().cookies());
      const { bytes, external } = await pageWeight(await fresh.newPage(), base, path);
      expect({ path, external, light: bytes < 100 * 1024 }).toEqual({
        path,
        external: [],
        light: true,
      });
      await fresh.close();
    }
    await anonymous.close();
    await context.close();
  });

  it('saves notification settings from the form, unticked boxes included', async () => {
    const { context, page } = await signIn(browser, base, donor);
    await page.goto('/app/notifications/preferences');
    await page.getByLabel('By e-mail: Match proposed', { exact: true }).uncheck();
    await page
      .getByLabel('E-mail timing: Match declined', { exact: true })
      .selectOption({ label: 'Daily digest' });
    await Promise.all([
      page.waitForURL(/done=saved/),
      page.getByRole('button', { name: 'Save settings' }).click(),
    ]);
    await expect(page.getByRole('status').textContent()).resolves.toContain('saved');
    await expect(
      page.getByLabel('By e-mail: Match proposed', { exact: true }).isChecked(),
    ).resolves.toBe(false);
    const rows = (await api.app
      .get(DataSource)
      .query(
        `SELECT event_type, email, email_mode FROM notification_preference WHERE user_id = $1 AND event_type IN ('match.proposed', 'match.declined') ORDER BY event_type`,
        [donor.userId],
      )) as { event_type: string; email: boolean; email_mode: string }[];
    expect(rows).toEqual([
      { event_type: 'match.declined', email: true, email_mode: 'digest' },
      { event_type: 'match.proposed', email: false, email_mode: 'immediate' },
    ]);
    await context.close();
  });

  it('sets up two-step sign-in with the QR code page and shows the recovery codes once', async () => {
    const { context, page } = await signIn(browser, base, donor);
    await page.getByRole('link', { name: 'My account' }).click();
    await page.getByRole('button', { name: 'Set up two-step sign-in' }).click();
    await expect(page.locator('.qr svg').count()).resolves.toBe(1);
    const secret = (await page.getByTestId('totp-secret').textContent())!;
    await page.getByLabel('Code from the app').fill('000000');
    await page.getByRole('button', { name: 'Turn on two-step sign-in' }).click();
    await expect(page.locator('#f-code').getAttribute('aria-invalid')).resolves.toBe('true');
    await page.getByLabel('Code from the app').fill(await totpCode(secret));
    await page.getByRole('button', { name: 'Turn on two-step sign-in' }).click();
    await expect(page.getByTestId('recovery-codes').locator('li').count()).resolves.toBe(10);
    await page.getByRole('link', { name: /back to my account/ }).click();
    await expect(page.getByTestId('totp-status').textContent()).resolves.toMatch(/^On since/);
    await context.close();
  });
});
