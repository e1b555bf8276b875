import type { Browser, Page } from 'playwright-core';
import { DataSource } from 'typeorm';
import type { TestApi } from '../utils/test-app';
import { bootListeningApi, consoleCast, launchChromium, signIn } from './console-harness';

jest.setTimeout(90000);

describe('web console: the secretariat files a need on a State’s behalf, the State consents', () => {
  let api: TestApi;
  let base: string;
  let browser: Browser;
  let cast: Awaited<ReturnType<typeof consoleCast>>;
  let sec: Page;
  let state: Page;
  let needUrl: string;

  const click = async (page: Page, name: string | RegExp) => {
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name }).click()]);
    await page.waitForLoadState('load');
  };
  const stored = async () =>
    (
      await api.app.get(DataSource).query(
        `SELECT n.status, n.filed_on_behalf, n.consent_status, n.consent_note, p.country_code
             FROM need n JOIN party p ON p.id = n.party_id WHERE n.id = $1`,
        [needUrl.split('/').pop()],
      )
    )[0];

  beforeAll(async () => {
    ({ api, base } = await bootListeningApi({ env: { WRITE_RATE_LIMIT_PER_MIN: '100000' } }));
    cast = await consoleCast(api);
    browser = await launchChromium();
    sec = (await signIn(browser, base, cast.secretariat)).page;
    state = (await signIn(browser, base, cast.state)).page;
  });
  afterAll(async () => {
    await browser?.close();
    await api?.close();
  });

  it('the secretariat must pick the State, from country names, and then files the need', async () => {
    await sec.goto('/app/needs');
    await Promise.all([
      sec.waitForURL(/\/app\/needs\/new$/),
      sec.getByRole('link', { name: 'Declare a need' }).click(),
    ]);
    const states = await sec
      .getByLabel(/^State/)
      .locator('option')
      .allTextContents();
    expect(states).toEqual(['', 'Peru', 'Sierra Leone']);
    await sec.getByLabel('Title').fill('Weapons and ammunition management assessment');
    await sec
      .getByLabel('Description')
      .fill('A baseline assessment of national stockpiles, as asked in the note verbale.');
    await sec.getByLabel('Control areas').selectOption(['05.20']);
    await sec.getByLabel('Types of assistance').selectOption(['experts']);
    await sec.getByLabel('Estimated cost').fill('25000');
    await sec.getByLabel('Needed by').fill('2027-06-30');
    await click(sec, 'Save as draft');
    // No State chosen: the error is next to the picker, and nothing is stored.
    await expect(sec.locator('#f-partyId-error').textContent()).resolves.toMatch(/partyId/);
    await expect(sec.getByLabel('Title').inputValue()).resolves.toBe(
      'Weapons and ammunition management assessment',
    );
    const [{ n }] = await api.app.get(DataSource).query(`SELECT count(*)::int AS n FROM need`);
    expect(n).toBe(0);

    await sec.getByLabel(/^State/).selectOption({ label: 'Sierra Leone' });
    await click(sec, 'Save as draft');
    expect(sec.url()).toMatch(/\/app\/needs\/[0-9a-f-]{36}\?done=created$/);
    needUrl = sec.url().replace(/\?.*$/, '');
    await expect(stored()).resolves.toMatchObject({
      filed_on_behalf: true,
      country_code: 'SLE',
      status: 'draft',
    });
    await click(sec, 'Submit to the secretariat');
    await click(sec, 'Start review');
    await click(sec, 'Publish');
    await expect(sec.getByTestId('consent').textContent()).resolves.toMatch(
      /Filed by the secretariat on the State's behalf\. It circulates once the State consents/,
    );
    await expect(stored()).resolves.toMatchObject({
      status: 'published',
      consent_status: 'pending',
    });
  });

  it('another State cannot open it while consent is awaited; the secretariat gets no consent form', async () => {
    const peru = (await signIn(browser, base, cast.otherState)).page;
    const res = await peru.goto(needUrl);
    expect(res!.status()).toBe(404);
    await sec.goto(needUrl);
    await expect(sec.getByRole('button', { name: 'Consent to circulation' }).count()).resolves.toBe(
      0,
    );
  });

  it('the State must give a reason to object, and consents instead; then it circulates', async () => {
    await state.goto(needUrl);
    await click(state, 'Object and withdraw');
    await expect(state.locator('#f-note-error').textContent()).resolves.toMatch(/note/);
    await expect(stored()).resolves.toMatchObject({ consent_status: 'pending' });

    await click(state, 'Consent to circulation');
    expect(state.url()).toMatch(/\?done=consent$/);
    await expect(state.locator('[role=status], .flash').first().textContent()).resolves.toMatch(
      /Consent recorded/,
    );
    await expect(stored()).resolves.toMatchObject({ consent_status: 'given' });
    const peru = (await signIn(browser, base, cast.otherState)).page;
    expect((await peru.goto(needUrl))!.status()).toBe(200);
  });
});
