import type { TestingModule } from '@nestjs/testing';
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../src/config/app-config';
import { Cast, createCast, insertRate } from '../factories/needs.factory';
import { runTs, ROOT } from '../utils/run-node';
import { bootTestApi, TestApi } from '../utils/test-app';
import { bootTestWorker } from '../utils/test-worker';

const HEADER =
  'externalRef,title,description,language,controlAreas,assistanceTypes,frameworks,priority,rank,cost,currency,earliestStart,neededBy,visibility,location,implementer';
const row = (ref: string, overrides: Partial<Record<string, string>> = {}) => {
  const cells: Record<string, string> = {
    externalRef: ref,
    title: `Need ${ref}`,
    description: 'Marking machines, with "quotes", and commas',
    language: 'en',
    controlAreas: '05.30',
    assistanceTypes: 'equipment;training',
    frameworks: 'ITI',
    priority: 'high',
    rank: '',
    cost: '1000',
    currency: 'USD',
    earliestStart: '2026-01-01',
    neededBy: '2026-12-31',
    visibility: 'public',
    location: '',
    implementer: '',
    ...overrides,
  };
  return HEADER.split(',')
    .map((h) => {
      const v = cells[h];
      return /[",]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
    })
    .join(',');
};
const csv = (...rows: string[]) => [HEADER, ...rows].join('\n') + '\n';

describe('bulk imports', () => {
  let api: TestApi;
  let worker: TestingModule;
  let cast: Cast;
  let db: DataSource;
  const auth = (token: string) => ({ Authorization: `Bearer ${token}` });

  beforeAll(async () => {
    api = await bootTestApi({ env: { WRITE_RATE_LIMIT_PER_MIN: '100000' } });
    worker = await bootTestWorker(AppConfig.fromEnv(api.env));
    cast = await createCast(api);
    db = api.app.get(DataSource);
    await insertRate(api, 'EUR', '2000-01-01', '1.10');
  });
  afterAll(async () => {
    await worker?.close();
    await api.close();
  });

  const submit = async (token: string, body: Record<string, unknown>) => {
    const res = await api.http.post('/api/v1/imports').set(auth(token)).send(body);
    expect(res.status).toBe(202);
    return res.body.id as string;
  };
  /** Polls until finished; returns every status seen (the last is the outcome). */
  const waitFor = async (id: string, token = cast.sle.token) => {
    const seen: Record<string, any>[] = [];
    for (let i = 0; i < 300; i++) {
      const res = await api.http.get(`/api/v1/imports/${id}`).set(auth(token));
      expect(res.status).toBe(200);
      seen.push(res.body);
      if (!['queued', 'running'].includes(res.body.status)) return seen;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`import ${id} did not finish: ${JSON.stringify(seen.at(-1))}`);
  };
  const importedNeeds = (partyId: string) =>
    db.query(
      `SELECT id, external_ref, title, version FROM need WHERE party_id = $1 AND external_ref IS NOT NULL ORDER BY external_ref`,
      [partyId],
    );

  it('reports every bad row by line, field and reason, and stores nothing (all or nothing)', async () => {
    const content = csv(
      row('A-1'),
      row('A-2', { priority: 'urgent' }),
      row('A-3', { controlAreas: '99.99' }),
      row('A-4', { cost: 'abc', neededBy: '2025-13-01' }),
      row('A-1'),
      row('A-6'),
    );
    const id = await submit(cast.sle.token, { kind: 'needs', format: 'csv', content });
    const outcome = (await waitFor(id)).at(-1)!;
    expect(outcome).toMatchObject({
      id,
      kind: 'needs',
      status: 'rejected',
      total: 6,
      processed: 6,
      created: 0,
      updated: 0,
    });
    const byLine = (outcome.errors as { line: number; field: string; reason: string }[]).map(
      (e) => [e.line, e.field],
    );
    expect(byLine).toEqual(
      expect.arrayContaining([
        [3, 'priority'],
        [4, 'controlAreas'],
        [5, 'cost'],
        [5, 'neededBy'],
        [6, 'externalRef'],
      ]),
    );
    expect(byLine.map(([line]) => line)).not.toContain(2);
    expect(byLine.map(([line]) => line)).not.toContain(7);
    for (const e of outcome.errors) expect(e.reason).toEqual(expect.any(String));
    expect(await importedNeeds(cast.sleParty)).toEqual([]);
  });

  it('stores a good file with audit and outbox rows, and a second import changes nothing', async () => {
    const content = csv(
      row('B-1'),
      row('B-2', { language: 'fr', title: 'Marquage des armes', cost: '500', currency: 'EUR' }),
    );
    const id = await submit(cast.sle.token, { kind: 'needs', format: 'csv', content });
    const seen = await waitFor(id);
    const outcome = seen.at(-1)!;
    expect(outcome).toMatchObject({ status: 'completed', total: 2, processed: 2, created: 2 });
    expect(outcome.errors).toEqual([]);
    // Progress only moves forward.
    const processed = seen.map((s) => s.processed as number);
    expect(processed).toEqual([...processed].sort((a, b) => a - b));
    const stored = await importedNeeds(cast.sleParty);
    expect(stored.map((n: { external_ref: string }) => n.external_ref)).toEqual(['B-1', 'B-2']);
    const list = await api.http.get(`/api/v1/needs/${stored[0].id}`).set(auth(cast.sle.token));
    expect(list.body).toMatchObject({
      title: 'Need B-1',
      description: 'Marking machines, with "quotes", and commas',
      controlAreas: ['05.30'],
      assistanceTypes: ['equipment', 'training'],
      estimatedCost: { amount: 1000, currency: 'USD' },
      status: 'draft',
      filedOnBehalf: false,
      createdBy: cast.sle.userId,
    });
    const ids = stored.map((n: { id: string }) => n.id);
    const audit = await db.query(
      `SELECT action, actor_user_id FROM audit_entry WHERE entity_id = ANY($1) ORDER BY action`,
      [ids],
    );
    expect(audit).toEqual([
      { action: 'need.create', actor_user_id: cast.sle.userId },
      { action: 'need.create', actor_user_id: cast.sle.userId },
    ]);
    const outbox = await db.query(`SELECT type FROM outbox_event WHERE entity_id = ANY($1)`, [ids]);
    expect(outbox).toEqual([{ type: 'need.created' }, { type: 'need.created' }]);

    const again = (
      await waitFor(await submit(cast.sle.token, { kind: 'needs', format: 'csv', content }))
    ).at(-1)!;
    expect(again).toMatchObject({ status: 'completed', created: 0, updated: 0, unchanged: 2 });
    expect(await importedNeeds(cast.sleParty)).toEqual(stored);

    // A changed row updates its record, and only that one.
    const changed = csv(
      row('B-1', { title: 'Need B-1, revised' }),
      row('B-2', {
        language: 'fr',
        title: 'Marquage des armes',
        cost: '500',
        currency: 'EUR',
      }),
    );
    const third = (
      await waitFor(
        await submit(cast.sle.token, { kind: 'needs', format: 'csv', content: changed }),
      )
    ).at(-1)!;
    expect(third).toMatchObject({ status: 'completed', created: 0, updated: 1, unchanged: 1 });
    const after = await importedNeeds(cast.sleParty);
    expect(after[0]).toMatchObject({ title: 'Need B-1, revised', version: 2 });
    expect(after[1]).toEqual(stored[1]);
  });

  it('only the importing party and the secretariat read an import; the job reports progress', async () => {
    const id = await submit(cast.sle.token, {
      kind: 'needs',
      format: 'csv',
      content: csv(row('C-1')),
    });
    await waitFor(id);
    const other = await api.http.get(`/api/v1/imports/${id}`).set(auth(cast.per.token));
    expect(other.status).toBe(404);
    const donor = await api.http.get(`/api/v1/imports/${id}`).set(auth(cast.donor.token));
    expect(donor.status).toBe(404);
    const secretariat = await api.http
      .get(`/api/v1/imports/${id}`)
      .set(auth(cast.secretariat.token));
    expect(secretariat.status).toBe(200);
    const job = await api.http.get(`/api/v1/jobs/${id}`).set(auth(cast.secretariat.token));
    expect(job.body).toMatchObject({ name: 'imports.run', state: 'completed', progress: 100 });
  });

  it('refuses callers who may not import that kind, or for another party', async () => {
    const offersByState = await api.http
      .post('/api/v1/imports')
      .set(auth(cast.sle.token))
      .send({ kind: 'offers', format: 'json', content: '[]' });
    expect(offersByState.status).toBe(403);
    const forOther = await api.http
      .post('/api/v1/imports')
      .set(auth(cast.sle.token))
      .send({ kind: 'needs', format: 'csv', content: csv(row('X')), partyId: cast.perParty });
    expect(forOther.status).toBe(403);
    const badKind = await api.http
      .post('/api/v1/imports')
      .set(auth(cast.sle.token))
      .send({ kind: 'matches', format: 'csv', content: 'x' });
    expect(badKind.status).toBe(400);
  });

  it('imports offers from JSON for a donor, and plans from CSV for the secretariat on a State’s behalf', async () => {
    const offers = JSON.stringify([
      {
        externalRef: 'OF-1',
        title: 'Marking machines and training',
        description: 'Equipment and training.',
        controlAreas: ['05.30'],
        assistanceTypes: ['equipment'],
        eligibility: { groups: ['AFRICAN'] },
        budget: { total: 100000, currency: 'USD' },
        startDate: '2025-01-01',
        endDate: '2026-12-31',
        languages: ['en'],
        modality: 'bilateral',
      },
      { externalRef: 'OF-2', title: 'x' },
    ]);
    const bad = (
      await waitFor(
        await submit(cast.donor.token, { kind: 'offers', format: 'json', content: offers }),
        cast.donor.token,
      )
    ).at(-1)!;
    expect(bad.status).toBe('rejected');
    expect(bad.errors.every((e: { line: number }) => e.line === 2)).toBe(true);
    const good = JSON.stringify([JSON.parse(offers)[0]]);
    const ok = (
      await waitFor(
        await submit(cast.donor.token, { kind: 'offers', format: 'json', content: good }),
        cast.donor.token,
      )
    ).at(-1)!;
    expect(ok).toMatchObject({ status: 'completed', created: 1 });

    const plans = [
      'externalRef,title,periodStart,periodEnd,coordinatingBody,itemTitle,itemRank,itemControlAreas',
      'NAP-1,National action plan,2025-01-01,2029-12-31,National Commission,Marking,1,05.30',
      'NAP-1,National action plan,2025-01-01,2029-12-31,National Commission,Stockpiles,2,05.20;05.30',
    ].join('\n');
    const plan = (
      await waitFor(
        await submit(cast.secretariat.token, {
          kind: 'plans',
          format: 'csv',
          content: plans,
          partyId: cast.perParty,
        }),
        cast.secretariat.token,
      )
    ).at(-1)!;
    expect(plan).toMatchObject({ status: 'completed', total: 1, created: 1 });
    const [stored] = await db.query(
      `SELECT p.id, count(i.id)::int AS items FROM national_action_plan p JOIN plan_item i ON i.plan_id = p.id
        WHERE p.party_id = $1 AND p.external_ref = 'NAP-1' GROUP BY p.id`,
      [cast.perParty],
    );
    expect(stored.items).toBe(2);
  });

  it('npm run cli -- import needs <file> does the same in a terminal', async () => {
    const file = join(tmpdir(), `needs-${Date.now()}.csv`);
    writeFileSync(file, readFileSync(join(ROOT, 'docs', 'import-template-needs.csv')));
    const first = await runTs(
      'src/cli.ts',
      ['import', 'needs', file, '--party', 'PER'],
      api.env,
      90000,
    );
    expect(first.stderr).not.toMatch(/error/i);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/2 created, 0 updated, 0 unchanged/);
    const again = await runTs(
      'src/cli.ts',
      ['import', 'needs', file, '--party', 'PER'],
      api.env,
      90000,
    );
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/0 created, 0 updated, 2 unchanged/);
    expect(await importedNeeds(cast.perParty)).toHaveLength(2);

    writeFileSync(file, csv(row('D-1', { priority: 'soon' })));
    const bad = await runTs(
      'src/cli.ts',
      ['import', 'needs', file, '--party', 'PER'],
      api.env,
      90000,
    );
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/line 2: priority: /);
    expect(await importedNeeds(cast.perParty)).toHaveLength(2);
  }, 120_000);
});
