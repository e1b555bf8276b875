import type { TestingModule } from '@nestjs/testing';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { DataSource } from 'typeorm';
import type { Role } from '../../src/common/access/roles';
import { AppConfig } from '../../src/config/app-config';
import { AlertDetectorService } from '../../src/modules/coordination/alert-detector.service';
import { formatters } from '../../src/modules/console/console-views.service';
import { createParty, createUser, login } from '../factories/identity.factory';
import { commitBody, fireMatch } from '../factories/matches.factory';
import { Cast, createNeed, fireNeed, publishNeed } from '../factories/needs.factory';
import { createActiveOffer } from '../factories/offers.factory';
import { bootTestApi, TestApi } from '../utils/test-app';
import { bootTestWorker } from '../utils/test-worker';
import { waitFor } from '../utils/wait';

/** A console user: a cookie-keeping agent signed in through the sign-in form, and an API token. */
interface Person {
  agent: TestAgent;
  token: string;
  userId: string;
  partyId: string;
}

const HTML = 'text/html';
/** Escaped as the templates escape text. */
const esc = (s: string) =>
  s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
/** Any response body as text (SVG and XML included). */
const asText = (res: request.Test) =>
  res.buffer(true).parse((r, done) => {
    let data = '';
    r.setEncoding('utf8');
    r.on('data', (c: string) => (data += c));
    r.on('end', () => done(null, data));
  });
const fmt = formatters('en');
const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)![1];
/** The text of the element carrying `data-figure="<name>"` inside the given chunk of HTML. */
const figure = (html: string, name: string) =>
  new RegExp(`data-figure="${name}">([^<]*)<`).exec(html)?.[1];
/** The HTML of the table row (`<tr data-…="key">`) or table (`data-testid`) named. */
const chunk = (html: string, attr: string, value: string, close = '</tr>') => {
  const start = html.indexOf(`${attr}="${value}"`);
  if (start < 0) return '';
  return html.slice(start, html.indexOf(close, start));
};

describe('console: coverage, alerts and allocation (secretariat coordination pages)', () => {
  let api: TestApi;
  let db: DataSource;
  let worker: TestingModule;
  const people: Record<'secretariat' | 'sle' | 'per' | 'donor' | 'germany', Person> = {} as never;
  const needIds: Record<string, string> = {};
  const offerIds: Record<string, string> = {};
  let alertId: string;

  async function person(partyId: string, roles: Role[]): Promise<Person> {
    const { user, password } = await createUser(api, { partyId, roles });
    const agent = request.agent(api.app.getHttpServer());
    const form = await agent.get('/app/login').set('Accept', HTML).expect(200);
    const signedIn = await agent
      .post('/app/login')
      .set('Accept', HTML)
      .type('form')
      .send({ _csrf: csrfOf(form.text), email: user.email, password, next: '/app' });
    expect(signedIn.status).toBe(303);
    expect(signedIn.headers.location).toBe('/app');
    const { accessToken } = await login(api, user.email, password);
    return { agent, token: accessToken, userId: user.id, partyId };
  }
  const page = (who: Person, path: string) => who.agent.get(path).set('Accept', HTML);
  /** A form post with the CSRF token of the page it is posted from. */
  const post = async (who: Person, from: string, path: string, form: Record<string, unknown>) => {
    const html = (await page(who, from)).text;
    return who.agent
      .post(path)
      .set('Accept', HTML)
      .type('form')
      .send({ _csrf: csrfOf(html), ...form });
  };
  const apiGet = (who: Person, path: string) =>
    api.http.get(`/api/v1${path}`).set('Authorization', `Bearer ${who.token}`);
  const matchOf = async (need: string, offer: string) =>
    (
      await db.query(
        `SELECT id, version FROM match_suggestion WHERE need_id = $1 AND offer_id = $2`,
        [needIds[need], offerIds[offer]],
      )
    )[0] as { id: string; version: number };
  const commit = async (need: string, offer: string, donor: Person, amount: number) => {
    let m = await matchOf(need, offer);
    await fireMatch(api, people.sle.token, m.id, 'interest', m.version).expect(200);
    m = await matchOf(need, offer);
    await fireMatch(api, donor.token, m.id, 'interest', m.version).expect(200);
    m = await matchOf(need, offer);
    await fireMatch(api, donor.token, m.id, 'commit', m.version, commitBody({ amount })).expect(
      200,
    );
  };

  beforeAll(async () => {
    api = await bootTestApi({
      env: { WRITE_RATE_LIMIT_PER_MIN: '100000', MATCH_MIN_SCORE: '0.05' },
    });
    db = api.app.get(DataSource);
    worker = await bootTestWorker(AppConfig.fromEnv(api.env));
    const sle = await createParty(api, { type: 'state', name: 'Sierra Leone', countryCode: 'SLE' });
    const per = await createParty(api, { type: 'state', name: 'Peru', countryCode: 'PER' });
    const fund = await createParty(api, { type: 'trust_fund', name: 'UNSCAR' });
    const deu = await createParty(api, { type: 'state', name: 'Germany', countryCode: 'DEU' });
    const unoda = await createParty(api, { type: 'international_organisation', name: 'UNODA' });
    people.secretariat = await person(unoda.id, ['secretariat']);
    people.sle = await person(sle.id, ['national_contact']);
    people.per = await person(per.id, ['national_contact']);
    people.donor = await person(fund.id, ['donor_focal_point']);
    people.germany = await person(deu.id, ['donor_focal_point']);
    const cast = { secretariat: people.secretariat } as unknown as Cast;

    offerIds.A = (await createActiveOffer(api, people.donor.token, { title: 'UNSCAR marking' })).id;
    offerIds.G = (
      await createActiveOffer(api, people.germany.token, {
        title: 'German stockpile support',
        budget: { total: 80000, currency: 'USD' },
      })
    ).id;
    const needs: [string, Person, Record<string, unknown>][] = [
      [
        'sleHigh',
        people.sle,
        { priority: 'high', estimatedCost: { amount: 120000, currency: 'USD' } },
      ],
      [
        'sleLow',
        people.sle,
        { priority: 'low', estimatedCost: { amount: 30000, currency: 'USD' } },
      ],
      [
        'perMedium',
        people.per,
        { priority: 'medium', estimatedCost: { amount: 60000, currency: 'USD' } },
      ],
    ];
    for (const [key, owner, overrides] of needs) {
      const need = await createNeed(api, owner.token, { title: `Need ${key}`, ...overrides });
      await publishNeed(api, cast, need, owner.token);
      needIds[key] = need.id;
    }
    // A submitted (declared, unpublished) need counts in the declared figures only.
    const submitted = await createNeed(api, people.per.token, { title: 'Need perSubmitted' });
    await fireNeed(api, people.per.token, submitted.id, 'submit', submitted.version).expect(200);
    await waitFor(
      async () =>
        Number(
          (
            await db.query(
              `SELECT count(*) AS n FROM match_suggestion WHERE eligible AND need_id = ANY($1::uuid[])`,
              [Object.values(needIds)],
            )
          )[0].n,
        ),
      (n) => n === 6,
      30_000,
      'six suggestions',
    );
    // Two donors fund Sierra Leone in series 05 over overlapping periods: a donor_overlap alert.
    await commit('sleHigh', 'A', people.donor, 20000);
    await commit('sleHigh', 'G', people.germany, 30000);
    await worker.get(AlertDetectorService).sweep();
    const [alert] = await db.query(
      `SELECT id FROM coordination_alert WHERE kind = 'donor_overlap'`,
    );
    alertId = alert.id;
  }, 120_000);

  afterAll(async () => {
    await worker?.close();
    await api?.close();
  });

  describe('access (the API routes’ rules)', () => {
    it('shows each role the links its API allows', async () => {
      const nav = (html: string) => html.slice(html.indexOf('<nav'), html.indexOf('</nav>'));
      const sec = nav((await page(people.secretariat, '/app').expect(200)).text);
      expect(sec).toContain('href="/app/coverage"');
      expect(sec).toContain('href="/app/alerts"');
      expect(sec).toContain('href="/app/allocation"');
      const donor = nav((await page(people.donor, '/app').expect(200)).text);
      expect(donor).toContain('href="/app/coverage"');
      expect(donor).toContain('href="/app/alerts"');
      expect(donor).not.toContain('href="/app/allocation"');
    });

    it('gives donors and States the 403 page for allocation, and States 403 for another State', async () => {
      for (const who of [people.donor, people.sle]) {
        const res = await page(who, '/app/allocation').expect(403);
        expect(res.type).toBe('text/html');
        expect(res.text).toContain('<h1>');
        await page(who, '/app/allocation/00000000-0000-4000-8000-000000000000').expect(403);
      }
      const other = await page(people.sle, '/app/coverage?state=PER').expect(403);
      expect(other.text).toContain('only its own State&#39;s coverage');
      await page(people.sle, '/app/coverage/chart.svg?state=PER').expect(403);
      await page(people.sle, '/app/coverage/coverage.csv?state=PER').expect(403);
    });

    it('hides an alert from a State it is not about (404) and refuses acknowledgement to a donor (403)', async () => {
      await page(people.per, `/app/alerts/${alertId}`).expect(404);
      const donorView = await page(people.donor, `/app/alerts/${alertId}`).expect(200);
      expect(donorView.text).not.toContain('/acknowledge"');
      const refused = await post(
        people.donor,
        `/app/alerts/${alertId}`,
        `/app/alerts/${alertId}/acknowledge`,
        {
          note: 'not mine to close',
        },
      );
      expect(refused.status).toBe(403);
      expect(refused.text).toContain('You cannot do this'); // the access rule, not the CSRF check
      // Without the form's token even the secretariat is refused before the handler.
      const forged = await people.secretariat.agent
        .post(`/app/alerts/${alertId}/acknowledge`)
        .set('Accept', HTML)
        .type('form')
        .send({ note: 'forged' });
      expect(forged.status).toBe(403);
      expect(forged.text).toContain('This form has expired');
      const json = await people.secretariat.agent
        .post(`/app/alerts/${alertId}/acknowledge`)
        .send({ note: 'json' });
      expect(json.status).toBe(415);
      const [row] = await db.query(`SELECT acknowledged_at FROM coordination_alert WHERE id = $1`, [
        alertId,
      ]);
      expect(row.acknowledged_at).toBeNull();
    });
  });

  describe('coverage', () => {
    it('shows the API’s figures for the same data, the chart and the export links', async () => {
      const res = await page(people.secretariat, '/app/coverage').expect(200);
      const fromApi = (await apiGet(people.secretariat, '/coordination/coverage').expect(200)).body;
      expect(fromApi.totals.needsDeclared).toBe(4);
      expect(fromApi.totals.committedUsd).toBe(50000);
      const totals = chunk(res.text, 'data-testid', 'coverage-totals', '</table>');
      for (const [name, value] of Object.entries(fromApi.totals) as [string, number][]) {
        const shown = figure(totals, name);
        expect([name, shown]).toEqual([
          name,
          name.endsWith('Usd') ? fmt.money(value, 'USD') : fmt.number(value),
        ]);
      }
      for (const region of fromApi.byRegion) {
        const row = chunk(res.text, 'data-code', region.code);
        expect(row).toContain(region.name);
        expect(figure(row, 'declaredUsd')).toBe(fmt.money(region.declaredUsd, 'USD'));
        expect(figure(row, 'committedUsd')).toBe(fmt.money(region.committedUsd, 'USD'));
        expect(figure(row, 'gapUsd')).toBe(fmt.money(region.gapUsd, 'USD'));
      }
      for (const donor of fromApi.byDonor) {
        expect(figure(chunk(res.text, 'data-code', donor.partyId), 'committedUsd')).toBe(
          fmt.money(donor.committedUsd, 'USD'),
        );
      }
      // The chart: an <img> served by a console route, the API's SVG for the same slice.
      const src = /<img src="([^"]+)"[^>]*data-testid="coverage-chart"/.exec(res.text)![1];
      expect(src).toBe('/app/coverage/chart.svg');
      const svg = await asText(page(people.secretariat, src)).expect(200);
      expect(svg.headers['content-type']).toMatch(/^image\/svg\+xml/);
      const body = svg.body as string;
      expect(body).toContain('<svg');
      expect(body).toContain('Declared needs (USD)');
      const apiSvg = await asText(apiGet(people.secretariat, '/coordination/charts/coverage.svg'));
      // The same drawing (ECharts numbers its CSS classes per render).
      const unnumbered = (x: string) => x.replace(/zr\d+-cls-\d+/g, 'zr-cls');
      expect(unnumbered(body)).toBe(unnumbered(apiSvg.body as string));
      // The exports, through console routes (the cookie only counts under /app).
      for (const [href, type] of [
        ['/app/coverage/coverage.csv', /text\/csv/],
        ['/app/coverage/commitments.csv', /text\/csv/],
        ['/app/coverage/iati.xml', /xml/],
      ] as const) {
        expect(res.text).toContain(`href="${href}"`);
        const file = await asText(page(people.secretariat, href)).expect(200);
        expect(file.headers['content-type']).toMatch(type);
      }
      const csv = (await page(people.secretariat, '/app/coverage/commitments.csv')).text;
      expect(csv.trim().split('\n')).toHaveLength(3); // header + two commitments
      const size = Buffer.byteLength(res.text) + Buffer.byteLength(body);
      expect(size).toBeLessThan(100_000);
      console.log(
        `console_coverage_page_bytes: ${Buffer.byteLength(res.text)} chart_svg_bytes: ${Buffer.byteLength(body)}`,
      );
    });

    it('filters like the API (a slice, the grouping level) and a State sees its own needs', async () => {
      const res = await page(
        people.secretariat,
        '/app/coverage?region=002&regionLevel=subRegion&staleDays=0',
      ).expect(200);
      const fromApi = (
        await apiGet(
          people.secretariat,
          '/coordination/coverage?region=002&regionLevel=subRegion&staleDays=0',
        ).expect(200)
      ).body;
      expect(fromApi.totals.needsDeclared).toBe(2);
      expect(figure(res.text, 'declaredUsd')).toBe(fmt.money(fromApi.totals.declaredUsd, 'USD'));
      expect(res.text).toContain('data-code="202"'); // Sub-Saharan Africa
      expect(res.text).toContain(
        'src="/app/coverage/chart.svg?region=002&amp;regionLevel=subRegion"',
      );
      expect(res.text).toContain('href="/app/coverage/commitments.csv?region=002"');
      const own = await page(people.per, '/app/coverage').expect(200);
      const perApi = (await apiGet(people.per, '/coordination/coverage').expect(200)).body;
      expect(perApi.totals.needsDeclared).toBe(2);
      expect(figure(own.text, 'declaredUsd')).toBe(fmt.money(perApi.totals.declaredUsd, 'USD'));
    });

    it('shows invalid filters next to their fields (400), with the input kept', async () => {
      const res = await page(
        people.secretariat,
        '/app/coverage?minCost=lots&staleDays=99999&region=Atlantis',
      ).expect(400);
      expect(res.text).toContain('class="error-summary"');
      for (const id of ['f-minCost', 'f-staleDays']) {
        expect(res.text).toMatch(new RegExp(`id="${id}"[^>]*aria-invalid="true"`));
        expect(res.text).toContain(`href="#${id}"`);
      }
      expect(res.text).toContain('value="lots"');
      expect(res.text).not.toContain('data-testid="coverage-chart"');
      // A value the reference data does not know is named next to its field too.
      const unknown = await page(people.secretariat, '/app/coverage?region=Atlantis').expect(400);
      expect(unknown.text).toMatch(/id="f-region"[^>]*aria-invalid="true"/);
      expect(unknown.text).toContain('region &quot;Atlantis&quot; is not recognised');
    });
  });

  describe('alerts', () => {
    it('lists open alerts with their summaries and filters acknowledged ones', async () => {
      const fromApi = (
        await apiGet(people.secretariat, '/coordination/alerts?acknowledged=false').expect(200)
      ).body.items;
      expect(fromApi.length).toBeGreaterThanOrEqual(1);
      const open = await page(people.secretariat, '/app/alerts').expect(200);
      for (const a of fromApi) {
        const row = chunk(open.text, 'data-alert', a.id);
        expect(row).toContain(esc(a.summary));
      }
      expect(open.text).toContain('Donors overlapping');
      const acknowledged = await page(people.secretariat, '/app/alerts?acknowledged=true').expect(
        200,
      );
      expect(acknowledged.text).not.toContain(`data-alert="${alertId}"`);
      await page(people.secretariat, '/app/alerts?acknowledged=maybe').expect(400);
    });

    it('acknowledges with a note (state changes, audited once); a second acknowledgement is a clean 409', async () => {
      const tooLong = await post(
        people.secretariat,
        `/app/alerts/${alertId}`,
        `/app/alerts/${alertId}/acknowledge`,
        { note: 'x'.repeat(2001) },
      );
      expect(tooLong.status).toBe(400);
      expect(tooLong.text).toMatch(/id="f-note"[^>]*aria-invalid="true"/);
      const stillOpen = await db.query(
        `SELECT acknowledged_at FROM coordination_alert WHERE id = $1`,
        [alertId],
      );
      expect(stillOpen[0].acknowledged_at).toBeNull();

      const done = await post(
        people.secretariat,
        `/app/alerts/${alertId}`,
        `/app/alerts/${alertId}/acknowledge`,
        { note: 'Both donors agreed to split the work at the March meeting.' },
      );
      expect(done.status).toBe(303);
      expect(done.headers.location).toBe(`/app/alerts/${alertId}?done=acknowledge`);
      const shown = await page(people.secretariat, done.headers.location).expect(200);
      expect(shown.text).toContain('The alert is acknowledged.');
      expect(shown.text).toContain('Both donors agreed to split the work at the March meeting.');
      expect(shown.text).not.toContain('/acknowledge"');
      const viaApi = (await apiGet(people.secretariat, `/coordination/alerts/${alertId}`)).body;
      expect(viaApi.acknowledgedBy).toBe(people.secretariat.userId);
      const listed = await page(people.secretariat, '/app/alerts?acknowledged=true').expect(200);
      expect(listed.text).toContain(`data-alert="${alertId}"`);
      expect((await page(people.secretariat, '/app/alerts')).text).not.toContain(
        `data-alert="${alertId}"`,
      );

      // The same form posted again (a second tab): 409, the alert as it stands, nothing changed.
      const html = (await page(people.secretariat, '/app/alerts')).text;
      const again = await people.secretariat.agent
        .post(`/app/alerts/${alertId}/acknowledge`)
        .set('Accept', HTML)
        .type('form')
        .send({ _csrf: csrfOf(html), note: 'a different note' });
      expect(again.status).toBe(409);
      expect(again.text).toContain('data-testid="alert-conflict"');
      expect(again.text).toContain('Both donors agreed');
      const audits = await db.query(
        `SELECT count(*)::int AS n FROM audit_entry WHERE entity_id = $1 AND action = 'coordination_alert.acknowledge'`,
        [alertId],
      );
      expect(audits[0].n).toBe(1);
      const [row] = await db.query(
        `SELECT acknowledge_note FROM coordination_alert WHERE id = $1`,
        [alertId],
      );
      expect(row.acknowledge_note).toBe(
        'Both donors agreed to split the work at the March meeting.',
      );
    });
  });

  describe('allocation', () => {
    const runs = async () =>
      Number((await db.query(`SELECT count(*)::int AS n FROM allocation_run`))[0].n);

    it('shows invalid requests next to their fields and creates nothing', async () => {
      const res = await post(people.secretariat, '/app/allocation', '/app/allocation', {
        'weights.high': 'lots',
        'weights.medium': '2',
        'weights.low': '1',
        timeLimitSeconds: '0',
        'floors.1.region': '002',
        'floors.1.minShare': '2',
        'floors.2.region': '019',
        'floors.2.group': 'GRULAC',
        'floors.2.minUsd': '1000',
      });
      expect(res.status).toBe(400);
      for (const id of ['f-weights-high', 'f-timeLimitSeconds', 'f-floors-1-minShare']) {
        expect(res.text).toMatch(new RegExp(`id="${id}"[^>]*aria-invalid="true"`));
      }
      expect(res.text).toContain('value="lots"');
      expect(await runs()).toBe(0);
      // A floor naming both a region and a group (the service's own check), on its own row.
      const both = await post(people.secretariat, '/app/allocation', '/app/allocation', {
        'floors.2.region': '019',
        'floors.2.group': 'GRULAC',
        'floors.2.minUsd': '1000',
      });
      expect(both.status).toBe(400);
      expect(both.text).toMatch(/id="f-floors-2-region"[^>]*aria-invalid="true"/);
      expect(both.text).toContain('floors.0 must name exactly one of region and group');
      expect(await runs()).toBe(0);
    });

    it('requests a run, shows it queued, and once solved the optimal proposal beside the greedy baseline', async () => {
      const res = await post(people.secretariat, '/app/allocation', '/app/allocation', {
        'weights.high': '3',
        'weights.medium': '2',
        'weights.low': '1',
        normalisation: 'need_cost',
        timeLimitSeconds: '30',
        mipRelGap: '0.0001',
      });
      expect(res.status).toBe(303);
      const path = res.headers.location as string;
      expect(path).toMatch(/^\/app\/allocation\/[0-9a-f-]{36}$/);
      const id = path.split('/').pop()!;
      const [audit] = await db.query(
        `SELECT actor_user_id FROM audit_entry WHERE entity_id = $1 AND action = 'allocation.request'`,
        [id],
      );
      expect(audit.actor_user_id).toBe(people.secretariat.userId);
      const first = await page(people.secretariat, path).expect(200);
      const status = /data-testid="run-status">([^<]+)</.exec(first.text)![1];
      if (status !== 'Ready') expect(first.text).toContain(`href="${path}" data-testid="refresh"`);

      const html = await waitFor(
        async () => (await page(people.secretariat, path)).text,
        (text) => text.includes('data-testid="run-status">Ready<') || text.includes('>Failed<'),
        60_000,
        'the run to finish',
      );
      const run = (await apiGet(people.secretariat, `/coordination/allocations/${id}`).expect(200))
        .body;
      expect(run.status).toBe('succeeded');
      expect(run.assignments.length).toBeGreaterThan(0);
      const compare = chunk(html, 'data-testid', 'compare', '</table>');
      expect(figure(compare, 'objective')).toBe(fmt.number(run.objective));
      expect(figure(compare, 'greedyObjective')).toBe(fmt.number(run.greedyObjective));
      expect(figure(compare, 'proposedUsd')).toBe(fmt.money(run.stats.proposedUsd, 'USD'));
      expect(figure(compare, 'greedyProposedUsd')).toBe(
        fmt.money(run.stats.greedy.proposedUsd, 'USD'),
      );
      expect(compare).toContain('Greedy baseline');
      for (const n of run.comparison.needs) {
        const row = chunk(html, 'data-need', n.needId);
        expect(row).toContain('Need ');
        expect(figure(row, 'proposedUsd')).toBe(fmt.money(n.proposedUsd, 'USD'));
        expect(figure(row, 'greedyUsd')).toBe(
          fmt.money(run.stats.greedy.perNeed[n.needId] ?? 0, 'USD'),
        );
      }
      // The greedy amounts per need add up to its total (none here outside the proposal's needs).
      const greedyPerNeed = Object.values(run.stats.greedy.perNeed as Record<string, number>);
      expect(greedyPerNeed.length).toBeGreaterThan(0);
      expect(greedyPerNeed.reduce((a, b) => a + b, 0)).toBeCloseTo(run.stats.greedy.proposedUsd, 2);
      const perDonor = new Map<string, number>();
      const donorOf: Record<string, string> = {
        [offerIds.A]: people.donor.partyId,
        [offerIds.G]: people.germany.partyId,
      };
      for (const a of run.assignments) {
        const party = donorOf[a.offerId];
        perDonor.set(party, (perDonor.get(party) ?? 0) + a.amountUsd);
      }
      for (const [party, usd] of perDonor) {
        expect(figure(chunk(html, 'data-donor', party), 'proposedUsd')).toBe(fmt.money(usd, 'USD'));
      }
      const greedyPerDonor = new Map<string, number>();
      for (const [offerId, usd] of Object.entries(
        run.stats.greedy.perOffer as Record<string, number>,
      )) {
        const party = donorOf[offerId];
        greedyPerDonor.set(party, (greedyPerDonor.get(party) ?? 0) + usd);
      }
      for (const [party, usd] of greedyPerDonor) {
        expect(figure(chunk(html, 'data-donor', party), 'greedyUsd')).toBe(fmt.money(usd, 'USD'));
      }
      expect(html).toContain(`href="${path}/export.csv"`);
      const csv = await page(people.secretariat, `${path}/export.csv`).expect(200);
      expect(csv.headers['content-type']).toMatch(/text\/csv/);
      expect(csv.text.trim().split('\n')).toHaveLength(run.assignments.length + 1);
      // Listed with its objective beside the greedy one.
      const list = await page(people.secretariat, '/app/allocation').expect(200);
      expect(chunk(list.text, 'data-run', id)).toContain(fmt.number(run.greedyObjective));
      expect(Buffer.byteLength(list.text)).toBeLessThan(100_000);
      console.log(
        `console_allocation_page_bytes: ${Buffer.byteLength(list.text)} run_page_bytes: ${Buffer.byteLength(html)}`,
      );
    });
  });
});
