import type { Browser, BrowserContext, Page } from 'playwright-core';
import { DataSource } from 'typeorm';
import type { TestApi } from '../utils/test-app';
import {
  bootListeningApi,
  consoleCast,
  launchChromium,
  pageWeight,
  signIn,
  unlabelled,
} from './console-harness';

jest.setTimeout(90000);

describe('web console: CSRF, conflicts, languages, weight and accessibility', () => {
  let api: TestApi;
  let base: string;
  let browser: Browser;
  let cast: Awaited<ReturnType<typeof consoleCast>>;
  let state: { context: BrowserContext; page: Page };
  let needPath: string;

  const declare = async (page: Page, title: string) => {
    await page.goto('/app/needs/new');
    await page.getByLabel('Title').fill(title);
    await page.getByLabel('Description').fill('Training of armourers in stockpile management.');
    await page.getByLabel('Control areas').selectOption(['05.30']);
    await page.getByLabel('Types of assistance').selectOption(['training']);
    await page.getByLabel('Estimated cost').fill('25000');
    await page.getByLabel('Needed by').fill('2026-12-31');
    await Promise.all([
      page.waitForURL(/done=created/),
      page.getByRole('button', { name: 'Save as draft' }).click(),
    ]);
    return new URL(page.url()).pathname;
  };

  beforeAll(async () => {
    ({ api, base } = await bootListeningApi({ env: { WRITE_RATE_LIMIT_PER_MIN: '100000' } }));
    cast = await consoleCast(api);
    browser = await launchChromium();
    state = await signIn(browser, base, cast.state);
    needPath = await declare(state.page, 'Stockpile management training');
  });
  afterAll(async () => {
    await browser?.close();
    await api?.close();
  });

  it('refuses a form post without a valid CSRF token (403), even with a live session', async () => {
    const post = (form: Record<string, string>) =>
      state.context.request.post(`${needPath}/transitions/submit`, {
        form,
        headers: { accept: 'text/html' },
        maxRedirects: 0,
      });
    const missing = await post({ version: '1' });
    expect(missing.status()).toBe(403);
    expect(await missing.text()).toContain('This form has expired');
    const forged = await post({ version: '1', _csrf: 'a'.repeat(64) + '.' + 'b'.repeat(64) });
    expect(forged.status()).toBe(403);
    // Nothing happened: the need is still a draft.
    const [row] = await api.app
      .get(DataSource)
      .query(`SELECT status FROM need WHERE id = $1`, [needPath.split('/').pop()]);
    expect(row.status).toBe('draft');
    // Not a form at all: refused before the handler (415), so no write escapes the CSRF check.
    const json = await state.context.request.post(`${needPath}/transitions/submit`, {
      data: { version: 1 },
      maxRedirects: 0,
    });
    expect(json.status()).toBe(415);
  });

  it('a stale edit shows the other person’s change beside mine instead of overwriting it', async () => {
    const mine = state.page;
    await mine.goto(`${needPath}/edit`);
    // Someone else (another session of a national contact) saves first.
    const colleague = await signIn(browser, base, cast.state);
    await colleague.page.goto(`${needPath}/edit`);
    await colleague.page
      .getByLabel('Title')
      .fill('Stockpile management training (revised by a colleague)');
    await Promise.all([
      colleague.page.waitForURL(/done=saved/),
      colleague.page.getByRole('button', { name: 'Save changes' }).click(),
    ]);
    await colleague.context.close();

    await mine.getByLabel('Title').fill('Stockpile management and marking training');
    await mine.getByLabel('Estimated cost').fill('30000');
    const [res] = await Promise.all([
      mine.waitForResponse((r) => r.request().method() === 'POST'),
      mine.getByRole('button', { name: 'Save changes' }).click(),
    ]);
    expect(res.status()).toBe(409);
    await mine.waitForLoadState('load');
    await expect(mine.locator('h1').textContent()).resolves.toBe(
      'Someone else changed this record',
    );
    const titleRow = mine.locator('tr', { has: mine.locator('th', { hasText: /^Title/ }) });
    await expect(titleRow.locator('td').nth(0).textContent()).resolves.toBe(
      'Stockpile management training (revised by a colleague)',
    );
    await expect(titleRow.locator('td').nth(1).textContent()).resolves.toBe(
      'Stockpile management and marking training',
    );
    const [row] = await api.app
      .get(DataSource)
      .query(`SELECT title, version FROM need WHERE id = $1`, [needPath.split('/').pop()]);
    expect(row).toEqual({
      title: 'Stockpile management training (revised by a colleague)',
      version: 2,
    });
    // Applying mine on purpose then works against the current version.
    await Promise.all([
      mine.waitForURL(/done=saved/),
      mine.getByRole('button', { name: 'Apply my values over it' }).click(),
    ]);
    const [after] = await api.app
      .get(DataSource)
      .query(`SELECT title, version FROM need WHERE id = $1`, [needPath.split('/').pop()]);
    expect(after).toEqual({ title: 'Stockpile management and marking training', version: 3 });
  });

  it('switches the interface to French (and Arabic right to left; Russian falls back to English)', async () => {
    const page = state.page;
    await page.goto(needPath);
    await page.getByLabel('Language').selectOption('fr');
    await Promise.all([
      page.waitForURL(`${base}${needPath}`),
      page.getByRole('button', { name: 'Change' }).click(),
    ]);
    await expect(page.locator('html').getAttribute('lang')).resolves.toBe('fr');
    await expect(page.getByRole('navigation').textContent()).resolves.toContain('Besoins');
    await expect(page.getByRole('heading', { name: 'Détails' }).count()).resolves.toBe(1);
    await expect(
      page.getByRole('button', { name: 'Soumettre au secrétariat' }).count(),
    ).resolves.toBe(1);

    await page.getByLabel('Langue').selectOption('ar');
    await Promise.all([
      page.waitForURL(`${base}${needPath}`),
      page.getByRole('button', { name: 'Changer' }).click(),
    ]);
    await expect(page.locator('html').getAttribute('dir')).resolves.toBe('rtl');
    await expect(page.locator('html').getAttribute('lang')).resolves.toBe('ar');

    await page.getByLabel('اللغة').selectOption('ru');
    await Promise.all([
      page.waitForURL(`${base}${needPath}`),
      page.getByRole('button', { name: 'تغيير' }).click(),
    ]);
    await expect(page.locator('html').getAttribute('dir')).resolves.toBe('ltr');
    await expect(page.getByRole('heading', { name: 'Details' }).count()).resolves.toBe(1);

    await page.getByLabel('Language').selectOption('en');
    await Promise.all([
      page.waitForURL(`${base}${needPath}`),
      page.getByRole('button', { name: 'Change' }).click(),
    ]);
  });

  it('keeps every page under 100 KB with no external resources', async () => {
    const donor = await signIn(browser, base, cast.donor);
    const sec = await signIn(browser, base, cast.secretariat);
    const checks: [Page, string][] = [
      [state.page, '/app/needs/new'],
      [state.page, needPath],
      [state.page, '/app/needs'],
      [donor.page, '/app/offers/new'],
      [sec.page, '/app/review'],
      [sec.page, '/app/audit'],
    ];
    for (const [page, path] of checks) {
      const fresh = await page.context().browser()!.newContext({ baseURL: base });
      await fresh.addCookies(await page.context().cookies());
      const p = await fresh.newPage();
      const { bytes, external } = await pageWeight(p, base, path);
      expect({ path, external }).toEqual({ path, external: [] });
      expect({ path, underLimit: bytes < 100 * 1024 }).toEqual({ path, underLimit: true });
      expect(bytes).toBeGreaterThan(1000);
      await fresh.close();
    }
    await donor.context.close();
    await sec.context.close();
  });

  it('labels every form control, starts with a skip link and marks invalid fields', async () => {
    const donor = await signIn(browser, base, cast.donor);
    const anonymous = await browser.newPage({ baseURL: base });
    const visits: [Page, string][] = [
      [anonymous, '/app/login'],
      [state.page, '/app/needs/new'],
      [state.page, `${needPath}/edit`],
      [state.page, '/app/needs'],
      [donor.page, '/app/offers/new'],
      [donor.page, '/app/offers'],
    ];
    for (const [page, path] of visits) {
      await page.goto(path);
      expect({ path, unlabelled: await unlabelled(page) }).toEqual({ path, unlabelled: [] });
      await expect(page.locator('html').getAttribute('lang')).resolves.toBe('en');
      // The first Tab reaches the skip link, which leads to the main content.
      await page.keyboard.press('Tab');
      await expect(page.evaluate(() => document.activeElement?.className)).resolves.toBe('skip');
    }
    // Errors: summary at the top linking to the field, message tied to it by aria-describedby.
    const page = state.page;
    await page.goto('/app/needs/new');
    await page.getByRole('button', { name: 'Save as draft' }).click();
    await page.waitForLoadState('load');
    const link = page.locator('.error-summary a[href="#f-title"]');
    await expect(link.count()).resolves.toBe(1);
    await expect(page.locator('#f-title').getAttribute('aria-invalid')).resolves.toBe('true');
    const described = (await page.locator('#f-title').getAttribute('aria-describedby'))!.split(' ');
    for (const id of described) await expect(page.locator(`#${id}`).count()).resolves.toBe(1);
    await donor.context.close();
    await anonymous.close();
  });

  it('sends anonymous browsers to sign-in and back, and signs out for good', async () => {
    const ctx = await browser.newContext({ baseURL: base });
    const page = await ctx.newPage();
    await page.goto(needPath);
    expect(new URL(page.url()).pathname).toBe('/app/login');
    await page.getByLabel('Email address').fill(cast.state.email);
    await page.getByLabel('Password').fill(cast.state.password);
    await Promise.all([
      page.waitForURL(`${base}${needPath}`),
      page.getByRole('button', { name: 'Sign in' }).click(),
    ]);
    const cookie = (await ctx.cookies()).find((c) => c.name === 'salw_console')!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/app' });
    await Promise.all([
      page.waitForURL(/\/app\/login$/),
      page.getByRole('button', { name: 'Sign out' }).click(),
    ]);
    // The old cookie is dead server-side (the auth session is revoked), not just forgotten.
    await ctx.addCookies([cookie]);
    const res = await ctx.request.get(needPath, {
      maxRedirects: 0,
      headers: { accept: 'text/html' },
    });
    expect(res.status()).toBe(303);
    const [s] = await api.app
      .get(DataSource)
      .query(
        `SELECT revoked_reason FROM auth_session WHERE user_id = $1 AND revoked_at IS NOT NULL`,
        [cast.state.userId],
      );
    expect(s.revoked_reason).toBe('logout');
    await ctx.close();
  });
});
