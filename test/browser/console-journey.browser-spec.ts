import type { TestingModule } from '@nestjs/testing';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../src/config/app-config';
import type { TestApi } from '../utils/test-app';
import { bootTestWorker } from '../utils/test-worker';
import { waitFor } from '../utils/wait';
import {
  bootListeningApi,
  ConsoleUser,
  consoleCast,
  launchChromium,
  signIn,
} from './console-harness';

/** Where the match review page is saved for the README, when CONSOLE_SCREENSHOT names a file. */
const SCREENSHOT = process.env.CONSOLE_SCREENSHOT;

jest.setTimeout(90000);

describe('web console: the journey from a declared need to a covered one, in a browser', () => {
  let api: TestApi;
  let base: string;
  let worker: TestingModule;
  let browser: Browser;
  let cast: Awaited<ReturnType<typeof consoleCast>>;
  const pages: Page[] = [];

  const as = async (user: ConsoleUser) => {
    const { page } = await signIn(browser, base, user);
    pages.push(page);
    return page;
  };
  const click = async (page: Page, name: string | RegExp) => {
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name }).click()]);
    await page.waitForLoadState('load');
  };

  beforeAll(async () => {
    ({ api, base } = await bootListeningApi({
      env: { MATCH_MIN_SCORE: '0.1', WRITE_RATE_LIMIT_PER_MIN: '100000' },
    }));
    cast = await consoleCast(api);
    worker = await bootTestWorker(AppConfig.fromEnv(api.env));
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await worker?.close();
    await api?.close();
  });

  let offerUrl: string;
  let needUrl: string;
  let matchUrl: string;

  it('a donor creates and activates an offer with eligibility pick-lists', async () => {
    const donor = await as(cast.donor);
    await donor.goto('/app/offers/new');
    await donor.getByLabel('Title').fill('Marking machines and training for West Africa');
    await donor
      .getByLabel('Description')
      .fill('Dot-peen marking machines, record-keeping software and training.');
    await donor.getByLabel('Control areas').selectOption(['05.30']);
    await donor.getByLabel('Types of assistance').selectOption(['equipment', 'training']);
    await donor.getByLabel('Languages of delivery').selectOption(['en', 'fr']);
    await donor.getByLabel('UN regional groups').selectOption(['AFRICAN']);
    await donor.getByLabel('Total budget').fill('100000');
    await donor.getByLabel('Maximum per project').fill('50000');
    await donor.getByLabel('Start date').fill('2025-01-01');
    await donor.getByLabel('End date').fill('2027-12-31');
    await click(donor, 'Save as draft');
    expect(donor.url()).toMatch(/\/app\/offers\/[0-9a-f-]{36}\?done=created$/);
    await click(donor, 'Activate');
    await expect(donor.locator('.badge').first().textContent()).resolves.toBe('Active');
    offerUrl = donor.url().replace(/\?.*$/, '');
  });

  it('a State declares a need (errors shown next to the fields, input kept) and submits it', async () => {
    const state = await as(cast.state);
    await state.goto('/app/needs/new');
    await state
      .getByLabel('Description')
      .fill('Two marking machines and training for six armourers.');
    await state.getByLabel('Estimated cost').fill('forty thousand');
    await click(state, 'Save as draft');
    // The API's own validation, next to each field and in the summary; what was typed stays.
    await expect(state.locator('.error-summary').isVisible()).resolves.toBe(true);
    const titleError = await state.locator('#f-title').getAttribute('aria-describedby');
    expect(titleError).toContain('f-title-error');
    await expect(state.locator('#f-title-error').textContent()).resolves.toMatch(/title/);
    await expect(state.locator('#f-estimatedCost-amount-error').textContent()).resolves.toMatch(
      /number/,
    );
    await expect(state.getByLabel('Description').inputValue()).resolves.toBe(
      'Two marking machines and training for six armourers.',
    );
    await expect(state.getByLabel('Estimated cost').inputValue()).resolves.toBe('forty thousand');

    await state.getByLabel('Title').fill('Marking machines for the national police armoury');
    await state.getByLabel('Control areas').selectOption(['05.30']);
    await state.getByLabel('Types of assistance').selectOption(['equipment']);
    await state.getByLabel('Priority').selectOption('high');
    await state.getByLabel('Estimated cost').fill('40000');
    await state.getByLabel('Earliest start').fill('2026-01-01');
    await state.getByLabel('Needed by').fill('2026-12-31');
    await click(state, 'Save as draft');
    expect(state.url()).toMatch(/\/app\/needs\/[0-9a-f-]{36}\?done=created$/);
    needUrl = state.url().replace(/\?.*$/, '');
    await click(state, 'Submit to the secretariat');
    await expect(state.locator('.badge').first().textContent()).resolves.toBe('Submitted');
  });

  it('the secretariat reviews and publishes it from the review queue', async () => {
    const sec = await as(cast.secretariat);
    await sec.goto('/app/review');
    await Promise.all([
      sec.waitForURL(needUrl),
      sec.getByRole('link', { name: 'Marking machines for the national police armoury' }).click(),
    ]);
    await click(sec, 'Start review');
    await expect(sec.locator('.badge').first().textContent()).resolves.toBe('Under review');
    await click(sec, 'Publish');
    await expect(sec.locator('.badge').first().textContent()).resolves.toBe('Published');
  });

  it('the donor sees the need suggested on the offer, with an explanation', async () => {
    const donor = pages[0];
    const link = donor.getByRole('link', {
      name: 'Marking machines for the national police armoury',
    });
    await waitFor(
      async () => {
        await donor.goto(offerUrl);
        return link.count();
      },
      (n) => n === 1,
      20000,
      'the suggested need on the offer page',
    );
    const row = donor.locator('tr', { has: link });
    await expect(row.textContent()).resolves.toMatch(/05\.30|Marking/);
    matchUrl = base + (await link.getAttribute('href'))!;
  });

  it('the secretariat proposes the match, both sides express interest, the donor commits', async () => {
    const [donor, state, sec] = pages;
    await sec.goto('/app/review');
    // The queue lists the open suggestion; its "Review" link opens the match page.
    const open = sec.locator(`main a[href="${new URL(matchUrl).pathname}"]`);
    await expect(open.textContent()).resolves.toMatch(/^Review/);
    await Promise.all([sec.waitForURL(matchUrl), open.click()]);
    await click(sec, 'Propose to both sides');
    await expect(sec.getByTestId('match-status').textContent()).resolves.toBe('Proposed');
    // The side-by-side review page, with the score explained component by component.
    await expect(sec.locator('.components tbody tr').count()).resolves.toBe(8);
    if (SCREENSHOT) {
      mkdirSync(dirname(SCREENSHOT), { recursive: true });
      await sec.setViewportSize({ width: 1200, height: 900 });
      await sec.screenshot({ path: SCREENSHOT, fullPage: true });
    }

    // The State reaches the match from its need page.
    await state.goto(needUrl);
    await state.locator(`a[href="${new URL(matchUrl).pathname}"]`).click();
    await state.waitForURL(matchUrl);
    await click(state, 'Express interest');
    await expect(state.locator('.flash').textContent()).resolves.toContain(
      'Your interest is recorded',
    );
    await expect(state.getByRole('button', { name: 'Express interest' }).count()).resolves.toBe(0);

    await donor.goto(matchUrl);
    await click(donor, 'Express interest');
    await expect(donor.getByTestId('match-status').textContent()).resolves.toBe('Agreed');
    // The commit form starts from the uncovered cost; the donor names the implementer.
    await expect(donor.getByLabel('Amount').inputValue()).resolves.toBe('40000');
    await donor.getByLabel('Implementing body').fill('UNDP Sierra Leone');
    await click(donor, /^Commit$/);
    await expect(donor.getByTestId('match-status').textContent()).resolves.toBe('Committed');
    await expect(donor.locator('#h-commitments + table').textContent()).resolves.toContain(
      'UNDP Sierra Leone',
    );
  });

  it('the need shows as covered to its State', async () => {
    const state = pages[1];
    await state.goto(needUrl);
    await expect(state.locator('.badge').first().textContent()).resolves.toBe('Covered');
    await expect(state.getByTestId('coverage').textContent()).resolves.toContain('100');
  });

  it('every step was audited in the name of the console user', async () => {
    const rows = (await api.app
      .get(DataSource)
      .query(
        `SELECT action, actor_user_id FROM audit_entry WHERE action IN ('need.submit', 'need.publish', 'match.propose', 'match.committed', 'match.commit') ORDER BY at`,
      )) as { action: string; actor_user_id: string }[];
    expect(rows.map((r) => [r.action, r.actor_user_id])).toEqual(
      expect.arrayContaining([
        ['need.submit', cast.state.userId],
        ['need.publish', cast.secretariat.userId],
        ['match.propose', cast.secretariat.userId],
      ]),
    );
    const sec = pages[2];
    await sec.goto(`/app/audit?action=need.&entityId=${needUrl.split('/').pop()}`);
    await expect(sec.locator('main table tbody tr').count()).resolves.toBeGreaterThanOrEqual(4);
  });

  it("a State cannot reach another State's restricted need by URL (404 page)", async () => {
    const state = pages[1];
    await state.goto('/app/needs/new');
    await state.getByLabel('Title').fill('Restricted: armoury security assessment');
    await state.getByLabel('Description').fill('Seen only by the secretariat once published.');
    await state.getByLabel('Control areas').selectOption(['05.30']);
    await state.getByLabel('Types of assistance').selectOption(['equipment']);
    await state.getByLabel('Who may see it once published').selectOption('secretariat');
    await state.getByLabel('Estimated cost').fill('10000');
    await state.getByLabel('Needed by').fill('2026-12-31');
    await click(state, 'Save as draft');
    const restricted = state.url().replace(/\?.*$/, '');

    const other = await as(cast.otherState);
    const res = await other.goto(restricted);
    expect(res?.status()).toBe(404);
    await expect(other.locator('h1').textContent()).resolves.toBe('Page not found');
    await expect(other.content()).resolves.not.toContain('armoury security');
  });
});
