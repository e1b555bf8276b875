import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { AppException } from '../../src/common/errors';
import { ExchangeRatesService } from '../../src/modules/exchange-rates/exchange-rates.service';
import { createParty, createUser, login } from '../factories/identity.factory';
import { putRate } from '../factories/offers.factory';
import { runTs } from '../utils/run-node';
import { bootTestApi, TestApi } from '../utils/test-app';

describe('exchange rates: API, conversion, CSV import', () => {
  let api: TestApi;
  let db: DataSource;
  let secretariat: string;
  let donor: string;
  let dir: string;

  const auth = (token: string) => ({ Authorization: `Bearer ${token}` });
  const count = async (currency: string) =>
    Number(
      (
        await db.query(`SELECT count(*)::int AS n FROM exchange_rate WHERE currency = $1`, [
          currency,
        ])
      )[0].n,
    );

  beforeAll(async () => {
    api = await bootTestApi({ env: { WRITE_RATE_LIMIT_PER_MIN: '100000' } });
    db = api.app.get(DataSource);
    const unoda = await createParty(api, { type: 'international_organisation', name: 'UNODA' });
    const fund = await createParty(api, { type: 'trust_fund', name: 'UNSCAR' });
    const s = await createUser(api, { partyId: unoda.id, roles: ['secretariat'] });
    secretariat = (await login(api, s.user.email, s.password)).accessToken;
    const d = await createUser(api, { partyId: fund.id, roles: ['donor_focal_point'] });
    donor = (await login(api, d.user.email, d.password)).accessToken;
    dir = await mkdtemp(join(tmpdir(), 'salw-rates-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
    await api.close();
  });

  it('holds the USD base rate from the migration, readable by any signed-in user', async () => {
    const res = await api.http.get('/api/v1/exchange-rates?currency=USD').set(auth(donor));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      items: [expect.objectContaining({ currency: 'USD', date: '1900-01-01', usdPerUnit: 1 })],
      nextCursor: null,
    });
    expect((await api.http.get('/api/v1/exchange-rates')).status).toBe(401);
  });

  it('only the secretariat writes rates; the donor gets 403 and nothing changes', async () => {
    const denied = await api.http
      .put('/api/v1/exchange-rates/EUR/2024-01-01')
      .set(auth(donor))
      .send({ usdPerUnit: 1.1 });
    expect(denied.status).toBe(403);
    expect(await count('EUR')).toBe(0);
    const deniedDelete = await api.http
      .delete('/api/v1/exchange-rates/USD/1900-01-01')
      .set(auth(donor));
    expect(deniedDelete.status).toBe(403);

    const put = await api.http
      .put('/api/v1/exchange-rates/eur/2024-01-01')
      .set(auth(secretariat))
      .send({ usdPerUnit: 1.1, source: 'UN operational rates' });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({
      currency: 'EUR',
      date: '2024-01-01',
      usdPerUnit: 1.1,
      source: 'UN operational rates',
    });
    // An upsert: the same key again replaces the rate.
    const again = await api.http
      .put('/api/v1/exchange-rates/EUR/2024-01-01')
      .set(auth(secretariat))
      .send({ usdPerUnit: 1.0842 });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ usdPerUnit: 1.0842, source: null });
    expect(await count('EUR')).toBe(1);
    const audit = await db.query(
      `SELECT action, actor_kind, changes FROM audit_entry WHERE entity_type = 'exchange_rate' ORDER BY at`,
    );
    expect(audit.map((a: { action: string }) => a.action)).toEqual([
      'exchange_rate.create',
      'exchange_rate.update',
    ]);
    expect(audit[1].changes.usdPerUnit).toEqual({ before: '1.1000000000', after: '1.0842000000' });
  });

  it('refuses bad currencies, dates and rates with 400 naming the field', async () => {
    const cases: [string, object, string][] = [
      ['ABC/2024-01-01', { usdPerUnit: 1 }, 'currency'],
      ['EUR/2024-02-30', { usdPerUnit: 1 }, 'date'],
      ['EUR/01-01-2024', { usdPerUnit: 1 }, 'date'],
      ['EUR/2024-01-02', { usdPerUnit: 0 }, 'usdPerUnit'],
      ['EUR/2024-01-02', { usdPerUnit: -1 }, 'usdPerUnit'],
      ['EUR/2024-01-02', { usdPerUnit: 1e9 }, 'usdPerUnit'],
      ['EUR/2024-01-02', { usdPerUnit: '1.1' }, 'usdPerUnit'],
      ['EUR/2024-01-02', { usdPerUnit: 1, extra: true }, 'extra'],
    ];
    for (const [path, body, field] of cases) {
      const res = await api.http
        .put(`/api/v1/exchange-rates/${path}`)
        .set(auth(secretariat))
        .send(body);
      expect([path, res.status]).toEqual([path, 400]);
      expect(res.body.details.map((d: { field: string }) => d.field)).toContain(field);
    }
    expect(await count('EUR')).toBe(1);
  });

  it('keeps the USD base: not changed (409), not removed (409); deletes others (404 when absent)', async () => {
    const putUsd = await api.http
      .put('/api/v1/exchange-rates/USD/2024-01-01')
      .set(auth(secretariat))
      .send({ usdPerUnit: 2 });
    expect(putUsd.status).toBe(409);
    const delUsd = await api.http
      .delete('/api/v1/exchange-rates/USD/1900-01-01')
      .set(auth(secretariat));
    expect(delUsd.status).toBe(409);
    expect(await count('USD')).toBe(1);

    await putRate(api, secretariat, 'GBP', '2024-01-01', 1.27);
    const del = await api.http
      .delete('/api/v1/exchange-rates/GBP/2024-01-01')
      .set(auth(secretariat));
    expect(del.status).toBe(204);
    expect(await count('GBP')).toBe(0);
    const gone = await api.http
      .delete('/api/v1/exchange-rates/GBP/2024-01-01')
      .set(auth(secretariat));
    expect(gone.status).toBe(404);
    const audit = await db.query(
      `SELECT count(*)::int AS n FROM audit_entry WHERE action = 'exchange_rate.delete' AND entity_id = 'GBP/2024-01-01'`,
    );
    expect(audit[0].n).toBe(1);
  });

  it('converts with the latest rate on or before the date, in exact decimal arithmetic', async () => {
    await putRate(api, secretariat, 'XOF', '2024-01-01', 0.00165);
    await putRate(api, secretariat, 'XOF', '2024-06-01', 0.0017);
    const rates = api.app.get(ExchangeRatesService);
    const m = db.manager;
    expect(await rates.toUsd(m, '1000000', 'XOF', '2024-03-15')).toEqual({
      usd: '1650.00',
      rate: '0.0016500000',
      rateDate: '2024-01-01',
    });
    expect(await rates.toUsd(m, '1000000', 'XOF', '2024-06-01')).toMatchObject({
      usd: '1700.00',
      rateDate: '2024-06-01',
    });
    // Rounded to cents, no float error: 0.1 + 0.2 style amounts stay exact.
    expect((await rates.toUsd(m, '0.30', 'USD', '2024-01-01')).usd).toBe('0.30');
    expect((await rates.toUsd(m, '123456789012.35', 'USD', '2000-01-01')).usd).toBe(
      '123456789012.35',
    );

    let error: unknown;
    try {
      await rates.toUsd(m, '10', 'XOF', '2023-12-31');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AppException);
    expect(error).toMatchObject({
      code: 'UNPROCESSABLE',
      status: 422,
      message: 'No exchange rate for XOF on or before 2023-12-31',
      details: [{ field: 'estimatedCost.currency', messages: [expect.any(String)] }],
    });
    await expect(
      rates.toUsd(m, '10', 'JPY', '2024-01-01', 'budget.currency'),
    ).rejects.toMatchObject({
      details: [{ field: 'budget.currency' }],
    });
  });

  it('lists with filters and keyset pages', async () => {
    const res = await api.http
      .get('/api/v1/exchange-rates?currency=XOF&from=2024-01-01&to=2024-12-31')
      .set(auth(donor));
    expect(res.body.items.map((r: { date: string }) => r.date)).toEqual([
      '2024-06-01',
      '2024-01-01',
    ]);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: {
        status: number;
        body: { items: { currency: string; date: string }[]; nextCursor: string | null };
      } = await api.http
        .get('/api/v1/exchange-rates')
        .query({ limit: 1, ...(cursor ? { cursor } : {}) })
        .set(auth(donor));
      expect(page.status).toBe(200);
      seen.push(
        ...page.body.items.map(
          (r: { currency: string; date: string }) => `${r.currency}/${r.date}`,
        ),
      );
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(['EUR/2024-01-01', 'USD/1900-01-01', 'XOF/2024-06-01', 'XOF/2024-01-01']);
    const bad = await api.http.get('/api/v1/exchange-rates?from=2024-13-01').set(auth(donor));
    expect(bad.status).toBe(400);
    const reversed = await api.http
      .get('/api/v1/exchange-rates?from=2024-02-01&to=2024-01-01')
      .set(auth(donor));
    expect(reversed.status).toBe(400);
  });

  it('imports a good CSV in one go, audited as the system', async () => {
    const file = join(dir, 'good.csv');
    await writeFile(
      file,
      [
        'currency,date,usd_per_unit,source',
        'CHF,2024-01-01,1.16,UN operational rates',
        'chf,2024-02-01,1.1550000001,',
        'NOK,2024-01-01,0.095',
        '',
      ].join('\n'),
    );
    const run = await runTs('src/cli.ts', ['import-rates', file], api.env);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Imported 3 exchange rates');
    const rows = await db.query(
      `SELECT currency, to_char(rate_date, 'YYYY-MM-DD') AS d, usd_per_unit::text AS r, source
         FROM exchange_rate WHERE currency IN ('CHF','NOK') ORDER BY currency, rate_date`,
    );
    expect(rows).toEqual([
      { currency: 'CHF', d: '2024-01-01', r: '1.1600000000', source: 'UN operational rates' },
      { currency: 'CHF', d: '2024-02-01', r: '1.1550000001', source: null },
      { currency: 'NOK', d: '2024-01-01', r: '0.0950000000', source: null },
    ]);
    const audit = await db.query(
      `SELECT actor_kind, job_id FROM audit_entry WHERE entity_id LIKE 'CHF/%' OR entity_id LIKE 'NOK/%'`,
    );
    expect(audit).toHaveLength(3);
    expect(audit.every((a: { actor_kind: string }) => a.actor_kind === 'system')).toBe(true);
    expect(audit[0].job_id).toBe('cli:import-rates');
  }, 120_000);

  it('refuses a file with bad rows: every problem with its line, exit 1, nothing stored', async () => {
    const file = join(dir, 'bad.csv');
    await writeFile(
      file,
      [
        'currency,date,usd_per_unit',
        'SEK,2024-01-01,0.096',
        'ZZZ,2024-01-01,1',
        'SEK,2024-02-30,0.1',
        'SEK,2024-03-01,0',
        'DKK,2024-01-01,abc',
        'SEK,2024-01-01,0.097',
        'USD,2024-01-01,1',
      ].join('\n'),
    );
    const before = await db.query(`SELECT count(*)::int AS n FROM exchange_rate`);
    const run = await runTs('src/cli.ts', ['import-rates', file], api.env);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^line 3: currency: .*ZZZ/m);
    expect(run.stderr).toMatch(/^line 4: date: .*2024-02-30/m);
    expect(run.stderr).toMatch(/^line 5: usd_per_unit: .*greater than 0/m);
    expect(run.stderr).toMatch(/^line 6: usd_per_unit: .*abc/m);
    expect(run.stderr).toMatch(/^line 7: date: .*line 2/m);
    expect(run.stderr).toMatch(/^line 8: currency: .*base currency/m);
    expect(run.stderr).not.toMatch(/^line 2:/m);
    expect(run.stderr).toContain('Nothing imported: 6 problem(s)');
    const after = await db.query(`SELECT count(*)::int AS n FROM exchange_rate`);
    expect(after[0].n).toBe(before[0].n);
    expect(await count('SEK')).toBe(0);

    const noHeader = join(dir, 'no-header.csv');
    await writeFile(noHeader, 'SEK,2024-01-01,0.096\n');
    const run2 = await runTs('src/cli.ts', ['import-rates', noHeader], api.env);
    expect(run2.code).toBe(1);
    expect(run2.stderr).toMatch(/^line 1: header: /m);
    expect(await count('SEK')).toBe(0);
  }, 120_000);
});
