import { DataSource } from 'typeorm';
import { createParty, createUser, login } from '../factories/identity.factory';
import {
  createActiveOffer,
  createOffer,
  offerBody,
  putRate,
  transitionOffer,
} from '../factories/offers.factory';
import { bootTestApi, TestApi } from '../utils/test-app';

type Transition = 'activate' | 'pause' | 'resume' | 'close';
const TRANSITIONS: Transition[] = ['activate', 'pause', 'resume', 'close'];

describe('capacity offers', () => {
  let api: TestApi;
  let db: DataSource;
  let secretariat: string;
  let donor: string; // UNSCAR
  let otherDonor: string; // EU
  let ncSle: string;
  let fundId: string;
  let euId: string;

  const auth = (token: string) => ({ Authorization: `Bearer ${token}` });
  const get = (token: string, id: string) => api.http.get(`/api/v1/offers/${id}`).set(auth(token));
  const list = (token: string, query: Record<string, string> = {}) =>
    api.http
      .get('/api/v1/offers')
      .query({ limit: '200', ...query })
      .set(auth(token));
  const patch = (token: string, id: string, body: object, version?: number) => {
    let req = api.http.patch(`/api/v1/offers/${id}`).set(auth(token));
    if (version !== undefined) req = req.set('If-Match', `"${version}"`);
    return req.send(body);
  };
  const offerCount = async () =>
    Number((await db.query(`SELECT count(*)::int AS n FROM offer`))[0].n);

  beforeAll(async () => {
    api = await bootTestApi({ env: { WRITE_RATE_LIMIT_PER_MIN: '100000' } });
    db = api.app.get(DataSource);
    const unoda = await createParty(api, { type: 'international_organisation', name: 'UNODA' });
    const fund = await createParty(api, { type: 'trust_fund', name: 'UNSCAR' });
    const eu = await createParty(api, { type: 'regional_organisation', name: 'European Union' });
    const sle = await createParty(api, { type: 'state', name: 'Sierra Leone', countryCode: 'SLE' });
    fundId = fund.id;
    euId = eu.id;
    const token = async (partyId: string, roles: Parameters<typeof createUser>[1]['roles']) => {
      const u = await createUser(api, { partyId, roles });
      return (await login(api, u.user.email, u.password)).accessToken;
    };
    secretariat = await token(unoda.id, ['secretariat']);
    donor = await token(fund.id, ['donor_focal_point']);
    otherDonor = await token(eu.id, ['donor_focal_point']);
    ncSle = await token(sle.id, ['national_contact']);
    await putRate(api, secretariat, 'EUR', '2020-01-01', 1.1);
  });
  afterAll(() => api.close());

  describe('creating', () => {
    it('stores an offer as a draft with canonical codes, USD amounts and an ETag', async () => {
      const res = await api.http
        .post('/api/v1/offers')
        .set(auth(donor))
        .send(
          offerBody({
            eligibility: {
              regions: ['Western Africa', '005'],
              groups: ['grulac'],
              countries: ['sl', 'Peru', '024'],
              excludeCountries: ['LBR'],
            },
            budget: { total: 1000.5, currency: 'EUR', maxPerProject: 500 },
            conditions: 'Co-financing of 10 per cent.',
          }),
        );
      expect(res.status).toBe(201);
      expect(res.headers.etag).toBe('"1"');
      expect(res.body).toEqual({
        id: expect.any(String),
        partyId: fundId,
        title: 'Marking machines and training',
        description: expect.any(String),
        controlAreas: ['05.30'],
        assistanceTypes: ['equipment', 'training'],
        eligibility: {
          regions: ['011', '005'],
          groups: ['GRULAC'],
          countries: ['SLE', 'PER', 'AGO'],
          excludeCountries: ['LBR'],
        },
        budget: { total: 1000.5, currency: 'EUR', minPerProject: null, maxPerProject: 500 },
        totalUsd: 1100.55,
        rateDate: '2020-01-01',
        committedUsd: 0,
        remainingUsd: 1100.55,
        startDate: '2025-01-01',
        endDate: '2026-12-31',
        languages: ['en', 'fr'],
        modality: 'bilateral',
        conditions: 'Co-financing of 10 per cent.',
        status: 'draft',
        version: 1,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      });
      const outbox = await db.query(
        `SELECT type, version, party_id FROM outbox_event WHERE entity_id = $1`,
        [res.body.id],
      );
      expect(outbox).toEqual([{ type: 'offer.created', version: 1, party_id: fundId }]);
      const audit = await db.query(
        `SELECT action, entity_party_id FROM audit_entry WHERE entity_id = $1`,
        [res.body.id],
      );
      expect(audit).toEqual([{ action: 'offer.create', entity_party_id: fundId }]);
    });

    it('lets the secretariat offer on behalf of a party, but not a donor for another party', async () => {
      const onBehalf = await createOffer(api, secretariat, { partyId: euId });
      expect(onBehalf.partyId).toBe(euId);
      const res = await api.http
        .post('/api/v1/offers')
        .set(auth(donor))
        .send(offerBody({ partyId: euId }));
      expect(res.status).toBe(403);
      const nc = await api.http.post('/api/v1/offers').set(auth(ncSle)).send(offerBody());
      expect(nc.status).toBe(403);
    });

    it('refuses bad input with field-level 400s and stores nothing', async () => {
      const before = await offerCount();
      const cases: [Record<string, unknown>, string][] = [
        [{ budget: { total: -5, currency: 'USD' } }, 'budget.total'],
        [{ budget: { total: 0, currency: 'USD' } }, 'budget.total'],
        [{ budget: { total: 1e13, currency: 'USD' } }, 'budget.total'],
        [{ budget: { total: 10.123, currency: 'USD' } }, 'budget.total'],
        [{ budget: { total: 100, currency: 'ABC' } }, 'budget.currency'],
        [{ budget: { total: 100, currency: 'usd' } }, 'budget.currency'],
        [
          { budget: { total: 100, currency: 'USD', minPerProject: 60, maxPerProject: 50 } },
          'budget.minPerProject',
        ],
        [{ budget: { total: 100, currency: 'USD', maxPerProject: 150 } }, 'budget.maxPerProject'],
        [{ budget: { total: 100, currency: 'USD', committedUsd: 5 } }, 'budget.committedUsd'],
        [{ committedUsd: 0 }, 'committedUsd'],
        [{ remainingUsd: 100 }, 'remainingUsd'],
        [{ startDate: '2026-01-01', endDate: '2025-01-01' }, 'endDate'],
        [{ startDate: '2025-02-30' }, 'startDate'],
        [{ title: 'x'.repeat(201) }, 'title'],
        [{ conditions: 'x'.repeat(5001) }, 'conditions'],
        [{ languages: ['en', 'de'] }, 'languages'],
        [{ modality: 'loan' }, 'modality'],
        [{ controlAreas: [] }, 'controlAreas'],
        [{ eligibility: { regions: 'Africa' } }, 'eligibility.regions'],
        [{ eligibility: { planets: ['Mars'] } }, 'eligibility.planets'],
      ];
      for (const [overrides, field] of cases) {
        const res = await api.http
          .post('/api/v1/offers')
          .set(auth(donor))
          .send(offerBody(overrides));
        expect([field, res.status]).toEqual([field, 400]);
        expect(res.body.code).toBe('VALIDATION_FAILED');
        expect(res.body.details.map((d: { field: string }) => d.field)).toContain(field);
      }
      expect(await offerCount()).toBe(before);
    });

    it('answers 422 listing exactly the unknown codes per field, and 422 without a rate', async () => {
      const before = await offerCount();
      const res = await api.http
        .post('/api/v1/offers')
        .set(auth(donor))
        .send(
          offerBody({
            controlAreas: ['05.30', '99.99'],
            assistanceTypes: ['training', 'cash'],
            eligibility: {
              regions: ['Western Africa', 'Atlantis'],
              groups: ['AFRICAN', 'NORDIC'],
              countries: ['SLE', 'Narnia', 'XX'],
              excludeCountries: ['Oz'],
            },
          }),
        );
      expect(res.status).toBe(422);
      expect(res.body.code).toBe('UNKNOWN_REFERENCE');
      expect(
        res.body.details.map((d: { field: string; values: string[] }) => [d.field, d.values]),
      ).toEqual([
        ['controlAreas', ['99.99']],
        ['assistanceTypes', ['cash']],
        ['eligibility.regions', ['Atlantis']],
        ['eligibility.groups', ['NORDIC']],
        ['eligibility.countries', ['Narnia', 'XX']],
        ['eligibility.excludeCountries', ['Oz']],
      ]);
      const noRate = await api.http
        .post('/api/v1/offers')
        .set(auth(donor))
        .send(offerBody({ budget: { total: 100, currency: 'JPY' } }));
      expect(noRate.status).toBe(422);
      expect(noRate.body.details).toEqual([
        { field: 'budget.currency', messages: [expect.stringContaining('JPY')] },
      ]);
      expect(await offerCount()).toBe(before);
    });
  });

  describe('lifecycle', () => {
    async function expectRefused(id: string, transition: Transition, version: number) {
      const before = (await get(donor, id)).body;
      const res = await transitionOffer(api, donor, id, transition, version);
      expect([transition, before.status, res.status]).toEqual([transition, before.status, 409]);
      expect(res.body.code).toBe('INVALID_TRANSITION');
      expect(res.body.details.currentStatus).toBe(before.status);
      expect(res.body.details.allowedFrom).toEqual(expect.any(Array));
      expect(res.body.message).toContain(before.status);
      expect((await get(donor, id)).body).toEqual(before);
    }

    it('walks draft → active → paused → active → closed, refusing every other transition', async () => {
      const offer = await createOffer(api, donor);
      const id = offer.id;
      const allowed: Record<string, Transition[]> = {
        draft: ['activate', 'close'],
        active: ['pause', 'close'],
        paused: ['resume', 'close'],
        closed: [],
      };
      const refuseOthers = async (status: string, version: number) => {
        for (const t of TRANSITIONS.filter((t) => !allowed[status].includes(t))) {
          await expectRefused(id, t, version);
        }
      };
      const steps: [Transition, string][] = [
        ['activate', 'active'],
        ['pause', 'paused'],
        ['resume', 'active'],
        ['close', 'closed'],
      ];
      let version = 1;
      await refuseOthers('draft', version);
      for (const [transition, to] of steps) {
        const res = await transitionOffer(api, donor, id, transition, version);
        expect([transition, res.status]).toEqual([transition, 200]);
        expect(res.body.status).toBe(to);
        expect(res.body.version).toBe(version + 1);
        expect(res.headers.etag).toBe(`"${version + 1}"`);
        version += 1;
        await refuseOthers(to, version);
      }
      // A closed offer is not edited either.
      const edit = await patch(donor, id, { title: 'Too late' }, version);
      expect(edit.status).toBe(409);
      const outbox = await db.query(
        `SELECT type, version FROM outbox_event WHERE entity_id = $1 ORDER BY id`,
        [id],
      );
      expect(outbox).toEqual([
        { type: 'offer.created', version: 1 },
        { type: 'offer.activated', version: 2 },
        { type: 'offer.paused', version: 3 },
        { type: 'offer.resumed', version: 4 },
        { type: 'offer.closed', version: 5 },
      ]);
      const audit = await db.query(
        `SELECT action FROM audit_entry WHERE entity_id = $1 ORDER BY at`,
        [id],
      );
      expect(audit.map((a: { action: string }) => a.action)).toEqual([
        'offer.create',
        'offer.activate',
        'offer.pause',
        'offer.resume',
        'offer.close',
      ]);
    });

    it('closes a draft, and an exhausted offer (exhausted is reached through commitments)', async () => {
      const draft = await createOffer(api, donor);
      const closed = await transitionOffer(api, donor, draft.id, 'close', 1);
      expect(closed.body.status).toBe('closed');
      const active = await createActiveOffer(api, donor);
      await db.query(`UPDATE offer SET status = 'exhausted' WHERE id = $1`, [active.id]);
      for (const t of ['activate', 'pause', 'resume'] as Transition[]) {
        await expectRefused(active.id, t, 2);
      }
      const edit = await patch(donor, active.id, { title: 'New title' }, 2);
      expect(edit.status).toBe(409);
      const res = await transitionOffer(api, secretariat, active.id, 'close', 2);
      expect(res.status).toBe(200);
      expect(res.body.status).toBe('closed');
    });

    it('requires If-Match (428) and the current version (412), changing nothing', async () => {
      const offer = await createOffer(api, donor);
      const missing = await transitionOffer(api, donor, offer.id, 'activate', undefined);
      expect(missing.status).toBe(428);
      const stale = await transitionOffer(api, donor, offer.id, 'activate', 7);
      expect(stale.status).toBe(412);
      expect(stale.body.details).toMatchObject({ currentVersion: 1, etag: '"1"' });
      const patchMissing = await patch(donor, offer.id, { title: 'Changed' });
      expect(patchMissing.status).toBe(428);
      const patchStale = await patch(donor, offer.id, { title: 'Changed' }, 0);
      expect(patchStale.status).toBe(412);
      const now = await get(donor, offer.id);
      expect(now.body).toMatchObject({ status: 'draft', version: 1, title: offer.title });
      expect(now.headers.etag).toBe('"1"');
      // Weak and bare forms of the current version are accepted.
      const ok = await api.http
        .post(`/api/v1/offers/${offer.id}/activate`)
        .set(auth(donor))
        .set('If-Match', 'W/"1"');
      expect(ok.status).toBe(200);
    });

    it("refuses another party's donor (403) and lets the secretariat act", async () => {
      const offer = await createActiveOffer(api, donor);
      const other = await transitionOffer(api, otherDonor, offer.id, 'pause', 2);
      expect(other.status).toBe(403);
      const otherPatch = await patch(otherDonor, offer.id, { title: 'Mine now' }, 2);
      expect(otherPatch.status).toBe(403);
      const nc = await transitionOffer(api, ncSle, offer.id, 'pause', 2);
      expect(nc.status).toBe(403);
      const sec = await transitionOffer(api, secretariat, offer.id, 'pause', 2);
      expect(sec.status).toBe(200);
    });
  });

  describe('editing', () => {
    it('replaces named arrays and nested objects as a whole and leaves the rest alone', async () => {
      const offer = await createOffer(api, donor, {
        eligibility: { regions: ['Africa'], excludeCountries: ['SLE'] },
        conditions: 'Some conditions',
      });
      const res = await patch(
        donor,
        offer.id,
        {
          controlAreas: ['03.20', 'AMMO'],
          eligibility: { countries: ['Peru'] },
          budget: { total: 2000, currency: 'EUR' },
        },
        1,
      );
      expect(res.status).toBe(200);
      expect(res.headers.etag).toBe('"2"');
      expect(res.body).toMatchObject({
        title: offer.title,
        assistanceTypes: offer.assistanceTypes,
        controlAreas: ['03.20', 'AMMO'],
        eligibility: { regions: [], groups: [], countries: ['PER'], excludeCountries: [] },
        budget: { total: 2000, currency: 'EUR', minPerProject: null, maxPerProject: null },
        totalUsd: 2200,
        remainingUsd: 2200,
        conditions: 'Some conditions',
        version: 2,
      });
      const cleared = await patch(donor, offer.id, { conditions: null, endDate: '2027-06-30' }, 2);
      expect(cleared.body).toMatchObject({ conditions: null, endDate: '2027-06-30', version: 3 });
      const reversed = await patch(donor, offer.id, { startDate: '2028-01-01' }, 3);
      expect(reversed.status).toBe(400);
      expect(reversed.body.details[0].field).toBe('endDate');
      const nulled = await patch(donor, offer.id, { title: null }, 3);
      expect(nulled.status).toBe(400);
      const derived = await patch(donor, offer.id, { committedUsd: 10 }, 3);
      expect(derived.status).toBe(400);
      const unknown = await patch(donor, offer.id, { eligibility: { regions: ['Atlantis'] } }, 3);
      expect(unknown.status).toBe(422);
      expect((await get(donor, offer.id)).body.version).toBe(3);
      const outbox = await db.query(
        `SELECT type, version FROM outbox_event WHERE entity_id = $1 ORDER BY id`,
        [offer.id],
      );
      expect(outbox).toEqual([
        { type: 'offer.created', version: 1 },
        { type: 'offer.updated', version: 2 },
        { type: 'offer.updated', version: 3 },
      ]);
    });
  });

  describe('visibility', () => {
    it('shows drafts only to their party and the secretariat, in get and list', async () => {
      const draft = await createOffer(api, donor, { title: 'Secret draft' });
      for (const token of [otherDonor, ncSle]) {
        expect((await get(token, draft.id)).status).toBe(404);
        const ids = (await list(token)).body.items.map((o: { id: string }) => o.id);
        expect(ids).not.toContain(draft.id);
      }
      // Not visible means 404, even before the If-Match precondition.
      expect((await transitionOffer(api, otherDonor, draft.id, 'activate', undefined)).status).toBe(
        404,
      );
      expect((await patch(otherDonor, draft.id, { title: 'Peek' })).status).toBe(404);
      for (const token of [donor, secretariat]) {
        expect((await get(token, draft.id)).status).toBe(200);
        const ids = (await list(token)).body.items.map((o: { id: string }) => o.id);
        expect(ids).toContain(draft.id);
      }
      await transitionOffer(api, donor, draft.id, 'activate', 1);
      for (const token of [otherDonor, ncSle]) {
        expect((await get(token, draft.id)).status).toBe(200);
        const ids = (await list(token)).body.items.map((o: { id: string }) => o.id);
        expect(ids).toContain(draft.id);
      }
      expect((await api.http.get(`/api/v1/offers/${draft.id}`)).status).toBe(401);
      expect((await get(ncSle, 'not-a-uuid')).status).toBe(404);
    });
  });

  describe('list filters', () => {
    let partyId: string;
    let token: string;
    const ids: Record<string, string> = {};

    beforeAll(async () => {
      const party = await createParty(api, { type: 'ngo', name: 'Filters NGO' });
      partyId = party.id;
      const u = await createUser(api, { partyId, roles: ['donor_focal_point'] });
      token = (await login(api, u.user.email, u.password)).accessToken;
      const make = async (key: string, overrides: Record<string, unknown>) => {
        ids[key] = (await createActiveOffer(api, token, overrides)).id;
      };
      await make('westAfrica', {
        eligibility: { regions: ['Western Africa'] },
        controlAreas: ['05'],
      });
      await make('grulac', { eligibility: { groups: ['GRULAC'] }, controlAreas: ['05.30'] });
      await make('everyoneButSle', {
        eligibility: { excludeCountries: ['SLE'] },
        controlAreas: ['03.10'],
      });
      await make('peruOnly', {
        eligibility: { countries: ['PER'] },
        assistanceTypes: ['legal'],
        startDate: '2030-01-01',
        endDate: '2030-12-31',
      });
      await make('africaNotSle', {
        eligibility: { regions: ['002'], excludeCountries: ['Sierra Leone'] },
      });
    });

    const found = async (query: Record<string, string>) => {
      const res = await list(token, { partyId, ...query });
      expect(res.status).toBe(200);
      const names = Object.entries(ids)
        .filter(([, id]) => res.body.items.some((o: { id: string }) => o.id === id))
        .map(([k]) => k);
      return names.sort();
    };

    it('filters by eligible State (region at any level, group, country, exclusion)', async () => {
      expect(await found({ state: 'SLE' })).toEqual(['westAfrica']);
      expect(await found({ state: 'PER' })).toEqual(['everyoneButSle', 'grulac', 'peruOnly']);
      expect(await found({ state: 'GHA' })).toEqual([
        'africaNotSle',
        'everyoneButSle',
        'westAfrica',
      ]);
      expect(await found({ state: 'sle' })).toEqual(['westAfrica']);
      const bad = await list(token, { state: 'XXX' });
      expect(bad.status).toBe(400);
      expect(bad.body.code).toBe('UNKNOWN_FILTER_VALUE');
    });

    it('filters by control area (series and module match each other), type, window and status', async () => {
      expect(await found({ controlArea: '05.30' })).toEqual([
        'africaNotSle',
        'grulac',
        'peruOnly',
        'westAfrica',
      ]);
      expect(await found({ controlArea: '05' })).toEqual([
        'africaNotSle',
        'grulac',
        'peruOnly',
        'westAfrica',
      ]);
      expect(await found({ controlArea: '05.31' })).toEqual(['westAfrica']);
      expect(await found({ controlArea: '03' })).toEqual(['everyoneButSle']);
      expect(await found({ assistanceType: 'legal' })).toEqual(['peruOnly']);
      expect(await found({ from: '2029-06-01', to: '2030-02-01' })).toEqual(['peruOnly']);
      expect(await found({ status: 'draft' })).toEqual([]);
      for (const q of [{ controlArea: '99' }, { assistanceType: 'cash' }] as Record<
        string,
        string
      >[]) {
        const res = await list(token, q);
        expect(res.status).toBe(400);
        expect(res.body.code).toBe('UNKNOWN_FILTER_VALUE');
      }
      expect((await list(token, { from: '2030-02-01', to: '2029-01-01' })).status).toBe(400);
      expect((await list(token, { status: 'sleeping' })).status).toBe(400);
    });

    it('pages with a keyset cursor', async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const res: {
          status: number;
          body: { items: { id: string }[]; nextCursor: string | null };
        } = await list(token, { partyId, limit: '2', ...(cursor ? { cursor } : {}) });
        expect(res.status).toBe(200);
        expect(res.body.items.length).toBeLessThanOrEqual(2);
        seen.push(...res.body.items.map((o: { id: string }) => o.id));
        cursor = res.body.nextCursor;
      } while (cursor);
      expect(seen.sort()).toEqual(Object.values(ids).sort());
    });
  });
});
