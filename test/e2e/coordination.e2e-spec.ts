import type { TestingModule } from '@nestjs/testing';
import { Resvg } from '@resvg/resvg-js';
import { parse } from 'csv-parse/sync';
import { XMLParser } from 'fast-xml-parser';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../src/config/app-config';
import { AlertDetectorService } from '../../src/modules/coordination/alert-detector.service';
import { QueueService } from '../../src/queue/queue.service';
import { validateIati } from '../fixtures/iati/validate-iati';
import { createParty, createUser, login } from '../factories/identity.factory';
import { commitBody, fireMatch, insertMatch } from '../factories/matches.factory';
import {
  Actor,
  Cast,
  createCast,
  createNeed,
  fireNeed,
  insertRate,
  NeedBody,
  publishNeed,
} from '../factories/needs.factory';
import { createActiveOffer } from '../factories/offers.factory';
import { bootTestApi, TestApi } from '../utils/test-app';
import { bootTestWorker } from '../utils/test-worker';
import { waitFor } from '../utils/wait';

/**
 * A small world with known totals: needs of three States in three regions (Sierra Leone,
 * Peru, the Philippines) in different areas, types, frameworks and currencies; offers of three
 * donors (UNSCAR, Germany, the EU); commitments made through the review endpoints.
 *
 *   need  State  area   types               framework  cost           visibility   status
 *   N1    SLE    05.30  equipment,training  ITI        USD 120,000    public       covered (70k UNSCAR + 50k Germany)
 *   N2    SLE    05.20  equipment           PoA        EUR 50,000=60k public       partially (EUR 30,000=36k UNSCAR)
 *   N3    PER    03.20  training            ATT        USD 80,000     secretariat  covered (80k Germany)
 *   N4    PER    05.40  equipment           PoA        USD 40,000     donors       published, open 100 days
 *   N5    PHL    04.10  legal               PoA        USD 200,000    public       submitted (declared, unpublished)
 *   N6    SLE    05.30  …                   …          USD 999,999    public       draft (not declared)
 */
describe('coordination: coverage, gaps, exports, chart and alerts', () => {
  let api: TestApi;
  let db: DataSource;
  let cast: Cast;
  let worker: TestingModule | undefined;
  let germany: Actor;
  let eu: Actor;
  let phl: Actor;
  let admin: Actor;
  const n: Record<string, NeedBody> = {};
  const o: Record<string, { id: string }> = {};

  const get = (path: string, token: string) =>
    api.http.get(`/api/v1/coordination${path}`).set('Authorization', `Bearer ${token}`);
  const coverage = async (token: string, query = '') =>
    (await get(`/coverage${query}`, token).expect(200)).body as Record<string, any>;

  async function actor(
    partyId: string,
    roles: ('donor_focal_point' | 'national_contact' | 'admin')[],
  ) {
    const { user, password } = await createUser(api, { partyId, roles });
    const { accessToken } = await login(api, user.email, password);
    return { token: accessToken, userId: user.id, partyId };
  }

  /**
   * The pair's match, agreed (as insertMatch does, but over a suggestion the running worker's
   * engine may already have stored for the pair).
   */
  async function agreedMatch(
    needId: string,
    offerId: string,
  ): Promise<{ id: string; version: number }> {
    const [row] = await db.query(
      `INSERT INTO match_suggestion (need_id, offer_id, need_party_id, offer_party_id, score, components,
              rules_passed, explanation, status, version, need_version, offer_version, in_need_top,
              state_interest_at, donor_interest_at)
       SELECT n.id, o.id, n.party_id, o.party_id, 0.8, '{8000,10000,10000,10000,10000,6000,0,5000}', 127, 'Inserted by a test', 'agreed', 1,
              n.version, o.version, true, now(), now()
         FROM need n, offer o WHERE n.id = $1 AND o.id = $2
       ON CONFLICT (need_id, offer_id) DO UPDATE
         SET status = 'agreed', state_interest_at = now(), donor_interest_at = now()
       RETURNING id, version`,
      [needId, offerId],
    );
    return row;
  }

  /** An agreed match committed through POST /matches/:id/commit by `token`. */
  async function commit(
    needId: string,
    offerId: string,
    token: string,
    body: Record<string, unknown>,
  ): Promise<Record<string, any>> {
    const m = await agreedMatch(needId, offerId);
    const res = await fireMatch(api, token, m.id, 'commit', m.version, commitBody(body));
    if (res.status !== 200) throw new Error(`commit: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }

  beforeAll(async () => {
    api = await bootTestApi({
      env: { WRITE_RATE_LIMIT_PER_MIN: '100000', IATI_REPORTING_ORG_REF: 'XI-IATI-TEST' },
    });
    db = api.app.get(DataSource);
    cast = await createCast(api);
    const deu = await createParty(api, { type: 'state', name: 'Germany', countryCode: 'DEU' });
    const eur = await createParty(api, { type: 'regional_organisation', name: 'European Union' });
    const phi = await createParty(api, { type: 'state', name: 'Philippines', countryCode: 'PHL' });
    const unoda = (
      await db.query(`SELECT party_id FROM app_user WHERE id = $1`, [cast.secretariat.userId])
    )[0].party_id as string;
    germany = await actor(deu.id, ['donor_focal_point']);
    eu = await actor(eur.id, ['donor_focal_point']);
    phl = await actor(phi.id, ['national_contact']);
    admin = await actor(unoda, ['admin']);
    await insertRate(api, 'EUR', '2020-01-01', '1.2');

    const need = (token: string, body: Record<string, unknown>) => createNeed(api, token, body);
    n.N1 = await publishNeed(
      api,
      cast,
      await need(cast.sle.token, {
        title: 'Marking machines for the national police armoury',
        controlAreas: ['05.30'],
        assistanceTypes: ['equipment', 'training'],
        frameworks: ['ITI'],
        estimatedCost: { amount: 120000, currency: 'USD' },
        earliestStart: '2027-01-01',
        neededBy: '2027-12-31',
      }),
    );
    n.N2 = await publishNeed(
      api,
      cast,
      await need(cast.sle.token, {
        title: 'Stockpile management of the army depots',
        controlAreas: ['05.20'],
        assistanceTypes: ['equipment'],
        frameworks: ['PoA'],
        estimatedCost: { amount: 50000, currency: 'EUR' },
        earliestStart: '2027-03-01',
        neededBy: '2028-06-30',
      }),
    );
    n.N3 = await publishNeed(
      api,
      cast,
      await need(cast.per.token, {
        title: 'Transfer controls: licensing officers',
        language: 'es',
        controlAreas: ['03.20'],
        assistanceTypes: ['training'],
        frameworks: ['ATT'],
        estimatedCost: { amount: 80000, currency: 'USD' },
        earliestStart: '2028-01-01',
        neededBy: '2028-12-31',
        visibility: 'secretariat',
      }),
      cast.per.token,
    );
    n.N4 = await publishNeed(
      api,
      cast,
      await need(cast.per.token, {
        title: 'Collection campaign in border provinces',
        controlAreas: ['05.40'],
        assistanceTypes: ['equipment'],
        frameworks: ['PoA'],
        estimatedCost: { amount: 40000, currency: 'USD' },
        earliestStart: '2027-01-01',
        neededBy: '2027-06-30',
        visibility: 'donors',
      }),
      cast.per.token,
    );
    const n5 = await need(phl.token, {
      title: 'National action plan on small arms',
      controlAreas: ['04.10'],
      assistanceTypes: ['legal'],
      frameworks: ['PoA'],
      estimatedCost: { amount: 200000, currency: 'USD' },
      earliestStart: '2027-01-01',
      neededBy: '2027-12-31',
    });
    const submitted = await fireNeed(api, phl.token, n5.id, 'submit', n5.version).expect(200);
    n.N5 = submitted.body;
    n.N6 = await need(cast.sle.token, { estimatedCost: { amount: 999999, currency: 'USD' } });

    o.A = await createActiveOffer(api, cast.donor.token, {
      title: 'UNSCAR call 2027',
      controlAreas: ['05.30', '05.20', '05.40'],
      budget: { total: 300000, currency: 'USD' },
      startDate: '2027-01-01',
      endDate: '2028-12-31',
    });
    o.B = await createActiveOffer(api, germany.token, {
      title: 'German marking and transfer-control support',
      controlAreas: ['05.30', '03.20'],
      budget: { total: 200000, currency: 'USD' },
      startDate: '2027-01-01',
      endDate: '2028-12-31',
    });
    o.C = await createActiveOffer(api, eu.token, {
      title: 'EU support to national action plans',
      controlAreas: ['04.10'],
      assistanceTypes: ['legal'],
      budget: { total: 50000, currency: 'USD' },
      startDate: '2027-01-01',
      endDate: '2028-12-31',
    });

    await commit(n.N1.id, o.A.id, cast.donor.token, {
      amount: 70000,
      startDate: '2027-01-01',
      endDate: '2027-12-31',
    });
    await commit(n.N1.id, o.B.id, germany.token, {
      amount: 50000,
      implementer: 'Small Arms Survey',
      startDate: '2027-03-01',
      endDate: '2027-09-30',
    });
    await commit(n.N2.id, o.A.id, cast.donor.token, {
      amount: 30000,
      currency: 'EUR',
      startDate: '2027-02-01',
      endDate: '2027-08-31',
    });
    // N3 is for the secretariat's eyes only: Germany cannot see it, the secretariat commits for it.
    await commit(n.N3.id, o.B.id, cast.secretariat.token, {
      amount: 80000,
      confirmOverCommitment: true,
      startDate: '2028-01-01',
      endDate: '2028-12-31',
    });
    // N4 has been open for 100 days, with two current suggestions and no agreement.
    await db.query(`UPDATE need SET published_at = now() - interval '100 days' WHERE id = $1`, [
      n.N4.id,
    ]);
    await insertMatch(api, { needId: n.N4.id, offerId: o.A.id, status: 'shortlisted' });
    await insertMatch(api, { needId: n.N4.id, offerId: o.C.id, status: 'suggested' });
  });
  afterAll(async () => {
    await worker?.close();
    await api.close();
  });

  const figures = (
    needsDeclared: number,
    needsPublished: number,
    needsCovered: number,
    needsUnmet: number,
    declaredUsd: number,
    publishedUsd: number,
    coveredUsd: number,
    unmetUsd: number,
    committedUsd: number,
    gapUsd: number,
  ) => ({
    needsDeclared,
    needsPublished,
    needsCovered,
    needsUnmet,
    declaredUsd,
    publishedUsd,
    coveredUsd,
    unmetUsd,
    committedUsd,
    gapUsd,
  });
  const AFRICA = figures(2, 2, 1, 1, 180000, 180000, 120000, 60000, 156000, 24000);
  const AMERICAS = figures(2, 2, 1, 1, 120000, 120000, 80000, 40000, 80000, 40000);
  const ASIA = figures(1, 0, 0, 0, 200000, 0, 0, 0, 0, 200000);
  const SERIES_05 = figures(3, 3, 1, 2, 220000, 220000, 120000, 100000, 156000, 64000);

  describe('coverage and gaps', () => {
    it('the secretariat sees every declared need: totals, by donor, by region, by area', async () => {
      const c = await coverage(cast.secretariat.token);
      expect(c.totals).toEqual(figures(5, 4, 2, 2, 500000, 300000, 200000, 100000, 236000, 264000));
      expect(c.byDonor).toEqual([
        {
          partyId: germany.partyId,
          name: 'Germany',
          type: 'state',
          needsFunded: 2,
          commitments: 2,
          committedUsd: 130000,
          offers: 1,
          envelopeUsd: 200000,
          envelopeCommittedUsd: 130000,
          envelopeRemainingUsd: 70000,
        },
        {
          partyId: cast.donor.partyId,
          name: 'UNSCAR',
          type: 'trust_fund',
          needsFunded: 2,
          commitments: 2,
          committedUsd: 106000,
          offers: 1,
          envelopeUsd: 300000,
          envelopeCommittedUsd: 106000,
          envelopeRemainingUsd: 194000,
        },
        {
          partyId: eu.partyId,
          name: 'European Union',
          type: 'regional_organisation',
          needsFunded: 0,
          commitments: 0,
          committedUsd: 0,
          offers: 1,
          envelopeUsd: 50000,
          envelopeCommittedUsd: 0,
          envelopeRemainingUsd: 50000,
        },
      ]);
      // Largest declared first.
      expect(c.byRegion).toEqual([
        { code: '142', name: 'Asia', ...ASIA },
        { code: '002', name: 'Africa', ...AFRICA },
        { code: '019', name: 'Americas', ...AMERICAS },
      ]);
      // In taxonomy order.
      expect(c.byArea).toEqual([
        {
          code: '03',
          title: 'Legislative and regulatory',
          ...figures(1, 1, 1, 0, 80000, 80000, 80000, 0, 80000, 0),
        },
        { code: '04', title: 'Design and management', ...ASIA },
        { code: '05', title: 'Operational support', ...SERIES_05 },
      ]);
    });

    it('slices by region (any M49 level), group, State, area, type, framework and period', async () => {
      const token = cast.secretariat.token;
      expect((await coverage(token, '?region=Africa')).totals).toEqual(AFRICA);
      expect((await coverage(token, '?region=202')).totals).toEqual(AFRICA); // Sub-Saharan Africa
      expect((await coverage(token, '?region=Western%20Africa')).totals).toEqual(AFRICA);
      expect((await coverage(token, '?group=GRULAC')).totals).toEqual(AMERICAS);
      expect((await coverage(token, '?state=per')).totals).toEqual(AMERICAS);
      // A series matches its modules; the offers are sliced too (the EU's 04.10 offer drops out).
      const series = await coverage(token, '?controlArea=05');
      expect(series.totals).toEqual(SERIES_05);
      expect(series.byDonor.map((d: { name: string }) => d.name)).toEqual(['UNSCAR', 'Germany']);
      expect(series.byDonor[1]).toMatchObject({ needsFunded: 1, committedUsd: 50000, offers: 1 });
      expect((await coverage(token, '?controlArea=05.20')).totals).toEqual(
        figures(1, 1, 0, 1, 60000, 60000, 0, 60000, 36000, 24000),
      );
      expect((await coverage(token, '?assistanceType=training')).totals).toEqual(
        figures(2, 2, 2, 0, 200000, 200000, 200000, 0, 200000, 0),
      );
      expect((await coverage(token, '?framework=ATT')).totals).toEqual(
        figures(1, 1, 1, 0, 80000, 80000, 80000, 0, 80000, 0),
      );
      // Period overlap: needed on or after 2028-01-01 → N2 (to 2028-06-30) and N3.
      expect((await coverage(token, '?from=2028-01-01')).totals).toEqual(
        figures(2, 2, 1, 1, 140000, 140000, 80000, 60000, 116000, 24000),
      );
      expect((await coverage(token, '?from=2027-01-01&to=2027-02-15')).totals).toEqual(
        figures(3, 2, 1, 1, 360000, 160000, 120000, 40000, 120000, 240000),
      );
      // Regions at the sub-region level.
      const sub = await coverage(token, '?regionLevel=subRegion');
      expect(sub.byRegion.map((r: { name: string }) => r.name)).toEqual([
        'South-eastern Asia',
        'Sub-Saharan Africa',
        'Latin America and the Caribbean',
      ]);
    });

    it('bad filters answer 400 naming the field', async () => {
      const token = cast.secretariat.token;
      const region = await get('/coverage?region=Atlantis', token).expect(400);
      expect(region.body.code).toBe('UNKNOWN_FILTER_VALUE');
      await get('/coverage?controlArea=99', token).expect(400);
      const stale = await get('/coverage?staleDays=-1', token).expect(400);
      expect(stale.body.details[0].field).toBe('staleDays');
      await get('/coverage?limit=5', token).expect(400); // not a list: no paging
      await get('/coverage?from=2028-01-01&to=2027-01-01', token).expect(400);
      await get('/coverage?regionLevel=continent', token).expect(400);
    });

    it("a donor's totals count only the needs a donor may see", async () => {
      const c = await coverage(cast.donor.token);
      // N3 is for the secretariat only and N5 is not published: N1, N2, N4 remain.
      expect(c.totals).toEqual(figures(3, 3, 1, 2, 220000, 220000, 120000, 100000, 156000, 64000));
      expect(
        c.byDonor.map((d: Record<string, unknown>) => [d.name, d.needsFunded, d.committedUsd]),
      ).toEqual([
        ['UNSCAR', 2, 106000],
        ['Germany', 1, 50000],
        ['European Union', 0, 0],
      ]);
      expect(c.byRegion.map((r: { name: string }) => r.name)).toEqual(['Africa', 'Americas']);
      expect(c.byRegion[1]).toEqual({
        code: '019',
        name: 'Americas',
        ...figures(1, 1, 0, 1, 40000, 40000, 0, 40000, 0, 40000),
      });
      // Asking for another State's slice is fine for a donor (within what it may see).
      expect((await coverage(germany.token, '?state=PER')).totals).toEqual(
        figures(1, 1, 0, 1, 40000, 40000, 0, 40000, 0, 40000),
      );
    });

    it("a State's national contact sees its own needs' coverage, and 403 for another State", async () => {
      const own = await coverage(cast.sle.token);
      expect(own.totals).toEqual(AFRICA);
      expect(own.byRegion).toEqual([{ code: '002', name: 'Africa', ...AFRICA }]);
      expect(
        own.byDonor.map((d: Record<string, unknown>) => [d.name, d.committedUsd, d.offers]),
      ).toEqual([
        ['UNSCAR', 106000, 1],
        ['Germany', 50000, 1],
        ['European Union', 0, 1],
      ]);
      expect((await coverage(cast.sle.token, '?state=SLE')).totals).toEqual(AFRICA);
      // A region without its State is simply empty.
      expect((await coverage(cast.sle.token, '?region=Americas')).totals.needsDeclared).toBe(0);
      const other = await get('/coverage?state=PER', cast.sle.token).expect(403);
      expect(other.body).toMatchObject({
        code: 'FORBIDDEN',
        details: { state: 'PER', ownState: 'SLE' },
      });
      await get('/coverage?state=per', cast.sle.token).expect(403);
      await get('/charts/coverage.svg?state=PER', cast.sle.token).expect(403);
      await get('/exports/commitments.csv?state=PER', cast.sle.token).expect(403);
      await get('/exports/iati.xml?state=PER', cast.sle.token).expect(403);
      // The Philippines' own (submitted) need counts for its national contact.
      expect((await coverage(phl.token)).totals).toEqual(ASIA);
      // Not a State (an NGO's user with the national_contact role), and the admin role: 403.
      await get('/coverage', cast.ngo.token).expect(403);
      await get('/coverage', admin.token).expect(403);
      await api.http.get('/api/v1/coordination/coverage').expect(401);
    });

    it('lists needs open longer than staleDays without an agreed match, with their best suggestions', async () => {
      const c = await coverage(cast.secretariat.token);
      expect(c.staleDays).toBe(90);
      expect(c.stale).toHaveLength(1);
      expect(c.stale[0]).toMatchObject({
        needId: n.N4.id,
        state: 'PER',
        status: 'published',
        daysOpen: 100,
        estimatedCostUsd: 40000,
        committedUsd: 0,
        gapUsd: 40000,
      });
      expect(
        c.stale[0].suggestions
          .map((s: Record<string, unknown>) => [s.offerId, s.donorName, s.status])
          .sort(),
      ).toEqual(
        [
          [o.A.id, 'UNSCAR', 'shortlisted'],
          [o.C.id, 'European Union', 'suggested'],
        ].sort(),
      );
      // N2 is open but has a committed match; 101 days is longer than N4 has been open.
      expect((await coverage(cast.secretariat.token, '?staleDays=0')).stale).toHaveLength(1);
      expect((await coverage(cast.secretariat.token, '?staleDays=101')).stale).toEqual([]);
      // A donor sees N4 (donors tier); Sierra Leone's view holds only its own needs.
      expect(
        (await coverage(cast.donor.token)).stale.map((s: { needId: string }) => s.needId),
      ).toEqual([n.N4.id]);
      expect((await coverage(cast.sle.token)).stale).toEqual([]);
    });
  });

  describe('exports', () => {
    const csvOf = async (path: string, token: string) => {
      const res = await get(path, token).expect(200);
      expect(res.headers['content-type']).toMatch(/^text\/csv/);
      return parse(res.text, { columns: true }) as Record<string, string>[];
    };

    it('commitments as CSV, within what the caller may see', async () => {
      const all = await csvOf('/exports/commitments.csv', cast.secretariat.token);
      expect(all).toHaveLength(4);
      expect(all.map((r) => [r.state, r.donor, r.amount, r.currency, r.amountUsd]).sort()).toEqual(
        [
          ['PER', 'Germany', '80000', 'USD', '80000'],
          ['SLE', 'Germany', '50000', 'USD', '50000'],
          ['SLE', 'UNSCAR', '30000', 'EUR', '36000'],
          ['SLE', 'UNSCAR', '70000', 'USD', '70000'],
        ].sort(),
      );
      expect(all[0]).toMatchObject({
        needId: n.N1.id,
        controlAreas: '05.30',
        matchStatus: 'committed',
      });
      // The donor does not see N3 (secretariat only): its commitment is left out.
      expect(await csvOf('/exports/commitments.csv', cast.donor.token)).toHaveLength(3);
      expect(
        await csvOf('/exports/commitments.csv?state=PER', cast.secretariat.token),
      ).toHaveLength(1);
      expect(await csvOf('/exports/commitments.csv', cast.per.token)).toHaveLength(1);
      await get('/exports/commitments.csv?region=Atlantis', cast.secretariat.token).expect(400);
    });

    it('the coverage of a slice as CSV', async () => {
      const rows = await csvOf('/exports/coverage.csv?region=Africa', cast.secretariat.token);
      expect(rows[0]).toMatchObject({
        dimension: 'total',
        needsDeclared: '2',
        declaredUsd: '180000',
        committedUsd: '156000',
        gapUsd: '24000',
      });
      const donors = rows.filter((r) => r.dimension === 'donor');
      expect(donors.map((d) => [d.name, d.committedUsd, d.envelopeUsd])).toEqual([
        ['UNSCAR', '106000', '300000'],
        ['Germany', '50000', '200000'],
        ['European Union', '0', '50000'],
      ]);
      expect(rows.filter((r) => r.dimension === 'region').map((r) => r.name)).toEqual(['Africa']);
      expect(rows.filter((r) => r.dimension === 'area').map((r) => [r.key, r.declaredUsd])).toEqual(
        [['05', '180000']],
      );
    });

    it('commitments as IATI 2.03 activities, valid against the IATI schema', async () => {
      const res = await get('/exports/iati.xml', cast.secretariat.token).expect(200);
      expect(res.headers['content-type']).toBe('application/xml; charset=utf-8');
      const xml = res.text;
      const result = await validateIati(xml);
      expect(result.errors).toEqual([]);
      expect(result.valid).toBe(true);
      const doc = new XMLParser({
        ignoreAttributes: false,
        attributeNamePrefix: '@',
        parseTagValue: false,
      }).parse(xml);
      const activities = doc['iati-activities']['iati-activity'] as Record<string, any>[];
      expect(activities).toHaveLength(4);
      for (const a of activities) {
        expect(a['iati-identifier']).toMatch(/^XI-IATI-TEST-[0-9a-f-]{36}$/);
        expect(a['reporting-org']['@ref']).toBe('XI-IATI-TEST');
        expect(a.sector).toMatchObject({ '@vocabulary': '1', '@code': '15240' });
        expect(a.transaction['transaction-type']['@code']).toBe('2');
      }
      const countries = activities.map((a) => a['recipient-country']['@code']).sort();
      expect(countries).toEqual(['PE', 'SL', 'SL', 'SL']);
      const eur = activities.find((a) => a['@default-currency'] === 'EUR')!;
      expect(eur.transaction.value['#text']).toBe('30000.00');
      const peru = activities.find((a) => a['recipient-country']['@code'] === 'PE')!;
      expect(peru.title.narrative['@xml:lang']).toBe('es');
      expect(peru['participating-org']).toEqual([
        expect.objectContaining({ '@role': '1', '@type': '10' }), // Germany: a government
        expect.objectContaining({ '@role': '4', '@type': '90' }),
      ]);
      // Visibility: the donor's file leaves out the secretariat-only need's commitment.
      const donorXml = (await get('/exports/iati.xml', cast.donor.token).expect(200)).text;
      expect((await validateIati(donorXml)).valid).toBe(true);
      expect(donorXml.match(/<iati-activity /g)).toHaveLength(3);
    });
  });

  describe('coverage chart', () => {
    // supertest buffers only text types; read the SVG as text.
    const svgOf = (path: string, token: string) =>
      get(path, token)
        .buffer(true)
        .parse((res, done) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => done(null, text));
        });
    it('renders declared vs covered by region and by area as SVG (ECharts) that rasterises', async () => {
      const res = await svgOf('/charts/coverage.svg', cast.secretariat.token).expect(200);
      expect(res.headers['content-type']).toMatch(/^image\/svg\+xml/);
      const svg = res.body as string;
      const parsed = new XMLParser({ ignoreAttributes: false }).parse(svg);
      expect(parsed.svg['@_width']).toBe('1600');
      const texts: string[] = [];
      const collect = (node: unknown): void => {
        if (Array.isArray(node)) node.forEach(collect);
        else if (node && typeof node === 'object') {
          for (const [key, value] of Object.entries(node)) {
            if (key === 'text') {
              for (const t of [value].flat()) {
                texts.push(
                  typeof t === 'object'
                    ? String((t as Record<string, unknown>)['#text'] ?? '')
                    : String(t),
                );
              }
            } else collect(value);
          }
        }
      };
      collect(parsed);
      expect(texts).toEqual(
        expect.arrayContaining([
          'Assistance needs declared and covered (USD)',
          'By region',
          'By control area (MOSAIC series)',
          'Declared needs (USD)',
          'Covered by commitments (USD)',
          'Africa',
          'Americas',
          'Asia',
          '05 Operational support',
          'USD',
          // values: Africa declared 180k and covered 156k; Asia 200k declared
          '180k',
          '156k',
          '200k',
        ]),
      );
      expect(texts.join(' ')).toContain(
        '5 needs declared, USD 500k; committed USD 236k; gap USD 264k',
      );

      const rendered = new Resvg(svg, { font: { loadSystemFonts: true } }).render();
      expect(rendered.width).toBe(1600);
      expect(rendered.height).toBe(900);
      const png = rendered.asPng();
      expect(png.subarray(1, 4).toString()).toBe('PNG');
      expect(png.length).toBeGreaterThan(10000);
      // Both bar colours are painted, on plenty of pixels each.
      const pixels = rendered.pixels;
      const count = (r: number, g: number, b: number) => {
        let k = 0;
        for (let i = 0; i < pixels.length; i += 4) {
          if (pixels[i] === r && pixels[i + 1] === g && pixels[i + 2] === b) k++;
        }
        return k;
      };
      expect(count(0x5b, 0x7f, 0xa6)).toBeGreaterThan(2000);
      expect(count(0xe0, 0x8a, 0x2c)).toBeGreaterThan(2000);

      // A State's chart holds its own region only.
      const own = (await svgOf('/charts/coverage.svg', cast.sle.token).expect(200)).body as string;
      expect(own).toContain('Africa');
      expect(own).not.toContain('Americas');
    });
  });

  describe('alerts', () => {
    const alerts = async (token: string, query = '') =>
      (await get(`/alerts${query}`, token).expect(200)).body.items as Record<string, any>[];
    const alertRows = () =>
      db.query(
        `SELECT id, kind, dedupe_key, summary, need_id, offer_id, party_id FROM coordination_alert ORDER BY created_at, id`,
      ) as Promise<Record<string, string>[]>;
    const raisedEvents = (id: string) =>
      db.query(
        `SELECT type, entity_type, entity_id, version, party_id FROM outbox_event WHERE type = 'coordination.alert.raised' AND entity_id = $1`,
        [id],
      ) as Promise<Record<string, unknown>[]>;

    beforeAll(async () => {
      // The worker relays the world's commitment events: detection starts from here.
      worker = await bootTestWorker(AppConfig.fromEnv(api.env));
    });

    it('two donors funding Sierra Leone in series 05 over overlapping periods raise one alert', async () => {
      const rows = await waitFor(alertRows, (r) => r.length >= 1, 20000, 'the overlap alert');
      // Let every relayed commitment event and the first sweep run, then look again.
      await worker!.get(AlertDetectorService).sweep();
      const after = await alertRows();
      expect(after).toHaveLength(1);
      expect(after[0]).toMatchObject({
        kind: 'donor_overlap',
        party_id: cast.sleParty,
        need_id: null,
      });
      expect(after[0].summary).toBe(
        'Germany and UNSCAR fund Sierra Leone in control area 05 (Operational support) over overlapping periods: Germany USD 50,000.00 (2027-03-01 to 2027-09-30); UNSCAR USD 106,000.00 (2027-01-01 to 2027-12-31).',
      );
      expect(rows[0].id).toBe(after[0].id);
      expect(await raisedEvents(after[0].id)).toEqual([
        {
          type: 'coordination.alert.raised',
          entity_type: 'coordination_alert',
          entity_id: after[0].id,
          version: 1,
          party_id: null,
        },
      ]);
    });

    it('over-commitment on a need raises exactly one alert (and one overlap), audited, with its event and notification', async () => {
      // UNSCAR's shortlisted match on N4 becomes agreed through both sides' interest, then commits.
      const [shortlisted] = await db.query(
        `SELECT id, version FROM match_suggestion WHERE need_id = $1 AND offer_id = $2`,
        [n.N4.id, o.A.id],
      );
      const s1 = await fireMatch(
        api,
        cast.per.token,
        shortlisted.id,
        'interest',
        shortlisted.version,
      ).expect(200);
      const s2 = await fireMatch(
        api,
        cast.donor.token,
        shortlisted.id,
        'interest',
        s1.body.version,
      ).expect(200);
      expect(s2.body.status).toBe('agreed');
      await fireMatch(
        api,
        cast.donor.token,
        shortlisted.id,
        'commit',
        s2.body.version,
        commitBody({ amount: 30000, startDate: '2027-02-01', endDate: '2027-06-30' }),
      ).expect(200);
      // Germany's agreed match, committed beyond the cost: only the secretariat may confirm it.
      const m = await agreedMatch(n.N4.id, o.B.id);
      const body = commitBody({ amount: 20000, startDate: '2027-04-01', endDate: '2027-10-31' });
      await fireMatch(api, germany.token, m.id, 'commit', m.version, body).expect(409);
      await fireMatch(api, cast.secretariat.token, m.id, 'commit', m.version, {
        ...body,
        confirmOverCommitment: true,
      }).expect(200);

      const rows = await waitFor(
        alertRows,
        (r) =>
          r.some((a) => a.kind === 'over_commitment') &&
          r.filter((a) => a.kind === 'donor_overlap').length === 2,
        20000,
        'the over-commitment and overlap alerts',
      );
      const over = rows.find((a) => a.kind === 'over_commitment')!;
      expect(over).toMatchObject({
        need_id: n.N4.id,
        party_id: cast.perParty,
        dedupe_key: `over_commitment:need:${n.N4.id}`,
      });
      expect(over.summary).toBe(
        `Peru's need "Collection campaign in border provinces" is committed beyond its cost: USD 50,000.00 committed by UNSCAR (USD 30,000.00) and Germany (USD 20,000.00) against an estimated USD 40,000.00.`,
      );
      const overlap = rows.find((a) => a.kind === 'donor_overlap' && a.party_id === cast.perParty)!;
      expect(overlap.summary).toContain('fund Peru in control area 05 (Operational support)');

      // Detecting again — a sweep, a redelivered event — raises nothing more.
      await worker!.get(AlertDetectorService).sweep();
      // The event handler's work, as on a redelivered match.committed event.
      expect(await worker!.get(AlertDetectorService).afterCommitment(m.id)).toEqual([]);
      // And through the queue: the scheduled sweep job.
      const job = await api.app
        .get(QueueService)
        .enqueue('coordination.sweep-alerts', { reason: 'test' });
      await waitFor(
        () => job.getState(),
        (s) => s === 'completed',
        20000,
        'the sweep job',
      );
      expect(await alertRows()).toHaveLength(3);
      const [{ n: keys }] = await db.query(
        `SELECT count(*)::int AS n FROM coordination_alert WHERE dedupe_key = $1`,
        [over.dedupe_key],
      );
      expect(keys).toBe(1);
      expect(await raisedEvents(over.id)).toHaveLength(1);
      const audits = await db.query(
        `SELECT action, entity_party_id FROM audit_entry WHERE entity_type = 'coordination_alert' AND entity_id = $1`,
        [over.id],
      );
      expect(audits).toEqual([
        { action: 'coordination_alert.raise', entity_party_id: cast.perParty },
      ]);

      // The secretariat is notified of the alert (in-app).
      await waitFor(
        async () =>
          (
            await api.http
              .get('/api/v1/notifications')
              .set('Authorization', `Bearer ${cast.secretariat.token}`)
          ).body.items as Record<string, unknown>[],
        (items) =>
          items.some((i) => i.eventType === 'coordination.alert.raised' && i.entityId === over.id),
        20000,
        "the secretariat's notification of the alert",
      );
    });

    it('an offer committed beyond its envelope raises an alert', async () => {
      const need = await createNeed(api, phl.token, {
        title: 'Firearms legislation review',
        controlAreas: ['04.10'],
        assistanceTypes: ['legal'],
        frameworks: ['PoA'],
        estimatedCost: { amount: 100000, currency: 'USD' },
      });
      const published = await publishNeed(api, cast, need, phl.token);
      await commit(published.id, o.C.id, cast.secretariat.token, {
        amount: 60000,
        confirmOverCommitment: true,
      });
      const rows = await waitFor(
        alertRows,
        (r) => r.some((a) => a.kind === 'envelope_exceeded'),
        20000,
        'the envelope alert',
      );
      const envelope = rows.find((a) => a.kind === 'envelope_exceeded')!;
      expect(envelope).toMatchObject({ offer_id: o.C.id, party_id: null, need_id: null });
      expect(envelope.summary).toBe(
        `European Union's offer "EU support to national action plans" is committed beyond its envelope: USD 60,000.00 committed to Philippines in control area 04.10 (Designing and implementing a National Action Plan) against USD 50,000.00.`,
      );
      expect(rows).toHaveLength(4);
    });

    it('who sees which alerts; filters; 404 for an alert out of sight', async () => {
      const all = await alerts(cast.secretariat.token);
      expect(all).toHaveLength(4);
      expect(all.map((a) => a.kind).sort()).toEqual([
        'donor_overlap',
        'donor_overlap',
        'envelope_exceeded',
        'over_commitment',
      ]);
      expect(all[0].kind).toBe('envelope_exceeded'); // newest first
      expect(await alerts(cast.secretariat.token, '?kind=donor_overlap')).toHaveLength(2);
      expect(await alerts(cast.secretariat.token, '?state=PER')).toHaveLength(2);
      expect(await alerts(cast.secretariat.token, '?acknowledged=true')).toHaveLength(0);
      expect(await alerts(cast.secretariat.token, '?limit=3')).toHaveLength(3);
      await get('/alerts?kind=nonsense', cast.secretariat.token).expect(400);
      await get('/alerts?acknowledged=maybe', cast.secretariat.token).expect(400);
      await get('/alerts?state=XXX', cast.secretariat.token).expect(400);

      // Donors: those involving their offers.
      const kinds = async (token: string) =>
        (await alerts(token)).map((a) => `${a.kind}:${a.state ?? '-'}`).sort();
      expect(await kinds(cast.donor.token)).toEqual([
        'donor_overlap:PER',
        'donor_overlap:SLE',
        'over_commitment:PER',
      ]);
      expect(await kinds(eu.token)).toEqual(['envelope_exceeded:-']);
      // States: those about their needs.
      expect(await kinds(cast.sle.token)).toEqual(['donor_overlap:SLE']);
      expect(await kinds(cast.per.token)).toEqual(['donor_overlap:PER', 'over_commitment:PER']);
      expect(await kinds(phl.token)).toEqual([]);
      const eus = (await alerts(eu.token))[0];
      await get(`/alerts/${eus.id}`, eu.token).expect(200);
      await get(`/alerts/${eus.id}`, cast.sle.token).expect(404);
      await get(`/alerts/${randomUUID()}`, cast.secretariat.token).expect(404);

      // A donor never sees an alert about a need kept from it, even one naming its offer.
      const [hidden] = await db.query(
        `INSERT INTO coordination_alert (kind, dedupe_key, summary, party_id, need_ids, donor_party_ids)
         VALUES ('donor_overlap', 'test:hidden', 'Test alert about a secretariat-only need.', $1, $2::uuid[], $3::uuid[])
         RETURNING id`,
        [cast.perParty, [n.N3.id], [cast.donor.partyId, germany.partyId]],
      );
      await get(`/alerts/${hidden.id}`, cast.donor.token).expect(404);
      await get(`/alerts/${hidden.id}`, cast.secretariat.token).expect(200);
      await db.query(`DELETE FROM coordination_alert WHERE id = $1`, [hidden.id]);
    });

    it('the secretariat acknowledges an alert with a note (audited); twice is a conflict', async () => {
      const [alert] = await alerts(cast.secretariat.token, '?kind=over_commitment');
      const ack = (token: string, body: object) =>
        api.http
          .post(`/api/v1/coordination/alerts/${alert.id}/acknowledge`)
          .set('Authorization', `Bearer ${token}`)
          .send(body);
      await ack(cast.donor.token, { note: 'x' }).expect(403);
      await ack(cast.per.token, {}).expect(403);
      await ack(cast.secretariat.token, { note: 'x'.repeat(2001) }).expect(400);
      await ack(cast.secretariat.token, { note: 'ok', extra: true }).expect(400);
      const done = await ack(cast.secretariat.token, {
        note: 'Germany and UNSCAR agreed to split the collection campaign.',
      }).expect(200);
      expect(done.body).toMatchObject({
        id: alert.id,
        acknowledgedBy: cast.secretariat.userId,
        acknowledgeNote: 'Germany and UNSCAR agreed to split the collection campaign.',
      });
      expect(done.body.acknowledgedAt).toEqual(expect.any(String));
      const again = await ack(cast.secretariat.token, {}).expect(409);
      expect(again.body.code).toBe('CONFLICT');
      await api.http
        .post(`/api/v1/coordination/alerts/${randomUUID()}/acknowledge`)
        .set('Authorization', `Bearer ${cast.secretariat.token}`)
        .send({})
        .expect(404);
      expect((await alerts(cast.secretariat.token, '?acknowledged=true')).map((a) => a.id)).toEqual(
        [alert.id],
      );
      expect(await alerts(cast.secretariat.token, '?acknowledged=false')).toHaveLength(3);
      const audits = await db.query(
        `SELECT action, actor_user_id, changes FROM audit_entry WHERE entity_type = 'coordination_alert' AND entity_id = $1 AND action = 'coordination_alert.acknowledge'`,
        [alert.id],
      );
      expect(audits).toHaveLength(1);
      expect(audits[0].actor_user_id).toBe(cast.secretariat.userId);
      expect(audits[0].changes.acknowledgeNote).toEqual({
        before: null,
        after: 'Germany and UNSCAR agreed to split the collection campaign.',
      });
    });
  });
});
