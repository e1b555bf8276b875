import type { AddressInfo } from 'node:net';
import { Browser, BrowserContext, chromium, Page } from 'playwright-core';
import type { Role } from '../../src/common/access/roles';
import { createParty, createUser } from '../factories/identity.factory';
import { bootTestApi, TestApi, TestApiOptions } from '../utils/test-app';

/** Debian's chromium; CHROMIUM_PATH overrides it. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/** The test API listening on a real port of 127.0.0.1, for a browser to reach. */
export async function bootListeningApi(
  options: TestApiOptions = {},
): Promise<{ api: TestApi; base: string }> {
  const api = await bootTestApi(options);
  await api.app.listen(0, '127.0.0.1');
  const { port } = api.app.getHttpServer().address() as AddressInfo;
  return { api, base: `http://127.0.0.1:${port}` };
}

export interface ConsoleUser {
  email: string;
  password: string;
  userId: string;
  partyId: string;
}

export async function consoleUser(api: TestApi, partyId: string, roles: Role[]) {
  const { user, password } = await createUser(api, { partyId, roles });
  return { email: user.email, password, userId: user.id, partyId } satisfies ConsoleUser;
}

/** Two States, a trust fund and the secretariat, each with a console user. */
export async function consoleCast(api: TestApi) {
  const sle = await createParty(api, { type: 'state', name: 'Sierra Leone', countryCode: 'SLE' });
  const per = await createParty(api, { type: 'state', name: 'Peru', countryCode: 'PER' });
  const fund = await createParty(api, { type: 'trust_fund', name: 'UNSCAR' });
  const unoda = await createParty(api, { type: 'international_organisation', name: 'UNODA' });
  return {
    state: await consoleUser(api, sle.id, ['national_contact']),
    otherState: await consoleUser(api, per.id, ['national_contact']),
    donor: await consoleUser(api, fund.id, ['donor_focal_point']),
    secretariat: await consoleUser(api, unoda.id, ['secretariat']),
  };
}

/** A fresh browser context (own cookies) signed in through the console's sign-in form. */
export async function signIn(
  browser: Browser,
  base: string,
  user: ConsoleUser,
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ baseURL: base, locale: 'en-GB' });
  // Fail with the locator's name well before Jest's own timeout.
  context.setDefaultTimeout(10000);
  const page = await context.newPage();
  await page.goto('/app/login');
  await page.getByLabel('Email address').fill(user.email);
  await page.getByLabel('Password').fill(user.password);
  await Promise.all([
    page.waitForURL((url) => !url.pathname.startsWith('/app/login')),
    page.getByRole('button', { name: 'Sign in' }).click(),
  ]);
  if (page.url().includes('/app/login')) throw new Error(`sign-in of ${user.email} failed`);
  return { context, page };
}

/** Selects options of a <select> by their visible labels. */
export async function pick(page: Page, label: string | RegExp, options: string[]): Promise<void> {
  await page.getByLabel(label).selectOption(options.map((o) => ({ label: o })));
}

/** Bytes of a page on a cold cache: the document and every sub-resource it loads. */
export async function pageWeight(
  page: Page,
  origin: string,
  path: string,
): Promise<{ bytes: number; external: string[] }> {
  let bytes = 0;
  const external: string[] = [];
  const pending: Promise<void>[] = [];
  page.on('response', (res) => {
    if (!res.url().startsWith(origin)) external.push(res.url());
    pending.push(
      res.body().then(
        (b) => void (bytes += b.length),
        () => undefined,
      ),
    );
  });
  await page.goto(path, { waitUntil: 'networkidle' });
  await Promise.all(pending);
  return { bytes, external };
}

/** Every visible form control without an accessible label (by id, for the failure message). */
export function unlabelled(page: Page): Promise<string[]> {
  return page.$$eval('input:not([type=hidden]), select, textarea', (els) =>
    els
      .filter((el) => {
        const c = el as HTMLInputElement;
        const labelled =
          (c.labels && c.labels.length > 0 && [...c.labels].some((l) => l.textContent!.trim())) ||
          c.getAttribute('aria-label') ||
          c.getAttribute('aria-labelledby');
        return !labelled;
      })
      .map((el) => `${el.tagName.toLowerCase()}#${el.id || '?'}[name=${el.getAttribute('name')}]`),
  );
}
