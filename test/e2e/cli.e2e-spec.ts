import { spawn } from 'node:child_process';
import type { Client } from 'pg';
import { connectedTestDatabase } from '../utils/database';
import { runTs, ROOT } from '../utils/run-node';
import { baseTestEnv, randomSuffix } from '../utils/test-env';

describe('operator commands (npm run cli)', () => {
  let db: Awaited<ReturnType<typeof connectedTestDatabase>>;
  let env: NodeJS.ProcessEnv;
  let pg: Client;

  beforeAll(async () => {
    db = await connectedTestDatabase();
    env = { ...baseTestEnv(), DATABASE_URL: db.url, QUEUE_PREFIX: `t${randomSuffix()}` };
    pg = db.pg;
  });
  afterAll(() => db.drop());

  it('create-admin generates a random password shown once, and refuses a second admin without --force', async () => {
    const first = await runTs('src/cli.ts', ['create-admin', '--email', 'Ops@Example.org'], env);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('Created administrator ops@example.org');
    const password = /Password \(shown once[^)]*\): (\S+)/.exec(first.stdout)?.[1];
    expect(password).toMatch(/^[A-Za-z0-9_-]{20}$/);
    const { rows } = await pg.query(
      `SELECT roles, password_hash FROM app_user WHERE email = 'ops@example.org'`,
    );
    expect(rows[0].roles).toEqual(['admin']);
    expect(rows[0].password_hash).not.toContain(password);
    const second = await runTs(
      'src/cli.ts',
      ['create-admin', '--email', 'another@example.org'],
      env,
    );
    expect(second.code).toBe(2);
    expect(second.stderr).toMatch(/already exists/);
  }, 120_000);

  it('create-admin --password-stdin takes the password from standard input and applies the strength rule', async () => {
    const run = (password: string) =>
      new Promise<{ code: number | null; out: string }>((resolve) => {
        const child = spawn(
          process.execPath,
          [
            '-r',
            'ts-node/register/transpile-only',
            'src/cli.ts',
            'create-admin',
            '--email',
            'second@example.org',
            '--force',
            '--password-stdin',
          ],
          {
            cwd: ROOT,
            env: { PATH: process.env.PATH, ...env },
          },
        );
        let out = '';
        child.stdout.on('data', (d) => (out += d));
        child.stderr.on('data', (d) => (out += d));
        child.on('close', (code) => resolve({ code, out }));
        child.stdin.end(`${password}\n`);
      });
    const weak = await run('password1234');
    expect(weak.code).not.toBe(0);
    expect(weak.out).toMatch(/password/i);
    const ok = await run('Quiet-Harbour-Lantern-2026');
    expect(ok.code).toBe(0);
    expect(ok.out).not.toContain('Quiet-Harbour-Lantern-2026');
  }, 120_000);

  it('demo loads parties and accounts with random passwords, printed once; a second run keeps them', async () => {
    const first = await runTs('src/cli.ts', ['demo'], env);
    expect(first.code).toBe(0);
    const passwords = [
      ...first.stdout.matchAll(/@demo\.example\.org\s+\S+\s+.+?\s{2}([A-Za-z0-9_-]{20})$/gm),
    ].map((m) => m[1]);
    expect(passwords.length).toBe(7);
    expect(new Set(passwords).size).toBe(7);
    const second = await runTs('src/cli.ts', ['demo'], env);
    expect(second.code).toBe(0);
    expect(second.stdout).not.toMatch(/\s[A-Za-z0-9_-]{20}$/m);
    expect(second.stdout).toContain('(unchanged: printed when created)');
    const { rows } = await pg.query(
      `SELECT count(*)::int AS n FROM app_user WHERE email LIKE '%@demo.example.org'`,
    );
    expect(rows[0].n).toBe(7);
    const audit = await pg.query(
      `SELECT count(*)::int AS n FROM audit_entry WHERE actor_kind = 'system' AND action = 'user.create'`,
    );
    expect(audit.rows[0].n).toBeGreaterThanOrEqual(7);
  }, 120_000);
});
