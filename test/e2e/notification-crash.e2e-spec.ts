import type { TestingModule } from '@nestjs/testing';
import { ChildProcess, spawn } from 'node:child_process';
import { AddressInfo } from 'node:net';
import { ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../src/config/app-config';
import { QueueService } from '../../src/queue/queue.service';
import { fireMatch, insertMatch } from '../factories/matches.factory';
import { Cast, createCast, createNeed, publishNeed } from '../factories/needs.factory';
import { createActiveOffer } from '../factories/offers.factory';
import { ROOT } from '../utils/run-node';
import { bootTestApi, TestApi } from '../utils/test-app';
import { bootTestWorker } from '../utils/test-worker';
import { waitFor } from '../utils/wait';
import { startReceiver } from '../utils/webhook-receiver';

/** The real worker entry point in a child process, resolved once it says it started. */
async function spawnWorker(env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', 'src/worker.ts'],
    {
      cwd: ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker did not start:\n${output}`)), 90000);
    child.stdout!.on('data', (d: Buffer) => {
      output += d;
      if (output.includes('Worker started')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.stderr!.on('data', (d: Buffer) => (output += d));
    child.once('exit', (code) => reject(new Error(`worker exited with ${code}:\n${output}`)));
  });
  return child;
}

/**
 * An SMTP server that keeps each message once it has received all of it, and answers "250"
 * only after `holdMs`: the window in which the sender has handed the e-mail over but cannot
 * know it yet (where a crash leaves the delivery row `sending`).
 */
async function startHoldingSmtp(holdMs: number) {
  const messages: ParsedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      simpleParser(stream)
        .then((mail) => {
          messages.push(mail);
          setTimeout(() => callback(), holdMs);
        })
        .catch((err: Error) => callback(err));
    },
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`,
    messages,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe('crashes and lost jobs: no duplicate, no lost delivery', () => {
  let api: TestApi;
  let db: DataSource;
  let cast: Cast;
  let smtp: Awaited<ReturnType<typeof startHoldingSmtp>>;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let worker: TestingModule | undefined;
  let child: ChildProcess | undefined;
  let needId: string;

  const proposeNewMatch = async () => {
    const offer = await createActiveOffer(api, cast.donor.token);
    // At version 2 (as after an interest), so that the worker's own matching run for the new
    // offer, which may finish after this insert, does not remove it as an untouched pair below
    // MATCH_MIN_SCORE.
    const match = await insertMatch(api, { needId, offerId: offer.id, version: 2 });
    await fireMatch(api, cast.secretariat.token, match.id, 'propose', 2).expect(200);
    return match.id;
  };
  const deliveriesOf = (matchId: string) =>
    db.query(
      `SELECT d.id, d.channel, d.status, d.attempts, d.last_error FROM notification_delivery d
         JOIN notification_event e ON e.id = d.event_id
        WHERE e.entity_id = $1 AND e.type = 'match.proposed' AND d.channel <> 'in_app'
        ORDER BY d.channel`,
      [matchId],
    ) as Promise<
      { id: string; channel: string; status: string; attempts: number; last_error: string }[]
    >;
  const setEmail = (token: string, email: boolean) =>
    api.http
      .put('/api/v1/notification-preferences')
      .set('Authorization', `Bearer ${token}`)
      .send({ preferences: [{ eventType: 'match.proposed', email }] })
      .expect(200);

  beforeAll(async () => {
    smtp = await startHoldingSmtp(3000);
    receiver = await startReceiver();
    api = await bootTestApi({
      env: {
        SMTP_URL: smtp.url,
        WEBHOOK_ALLOW_INSECURE: 'true',
        WEBHOOK_TIMEOUT_MS: '2000',
        WEBHOOK_RETRY_BASE_MS: '4000',
        WEBHOOK_RETRY_WINDOW_MS: '600000',
        NOTIFY_LEASE_MS: '4000',
        NOTIFY_SWEEP_EVERY_MS: '300',
        MATCH_MIN_SCORE: '0.99',
        NOTIFY_SUGGESTION_MIN_SCORE: '1', // the inserted matches are not news
        WRITE_RATE_LIMIT_PER_MIN: '100000',
      },
    });
    db = api.app.get(DataSource);
    cast = await createCast(api);
    const need = await createNeed(api, cast.sle.token);
    needId = (await publishNeed(api, cast, need)).id;
    await api.http
      .post('/api/v1/webhooks')
      .set('Authorization', `Bearer ${cast.sle.token}`)
      .send({ url: receiver.url, eventTypes: ['match.proposed'] })
      .expect(201);
    await setEmail(cast.donor.token, false); // one e-mail (the State's) and one webhook per proposal
    // The State is told of the publication too; only the proposals' e-mails are under test here.
    await api.http
      .put('/api/v1/notification-preferences')
      .set('Authorization', `Bearer ${cast.sle.token}`)
      .send({ preferences: [{ eventType: 'need.published', email: false }] })
      .expect(200);
  });
  afterAll(async () => {
    child?.kill('SIGKILL');
    await worker?.close();
    await api.close();
    await receiver.close();
    await smtp.close();
  });

  it('SIGKILL between sending and recording: the webhook is sent again under the same id, the e-mail is not sent twice', async () => {
    receiver.state.mode = 'hang';
    child = await spawnWorker(api.env);
    const matchId = await proposeNewMatch();
    // Both sends are under way in the child: the receiver holds the request, and the SMTP server
    // has the whole e-mail but has not said so yet.
    await waitFor(
      () => ({ hooks: receiver.received.length, mails: smtp.messages.length }),
      (s) => s.hooks === 1 && s.mails === 1,
      60000,
      'both sends to be under way',
    );
    const exited = new Promise((r) => child!.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    child = undefined;
    expect((await deliveriesOf(matchId)).map((d) => [d.channel, d.status])).toEqual([
      ['email', 'sending'],
      ['webhook', 'sending'],
    ]);

    receiver.state.mode = 'ok';
    worker = await bootTestWorker(AppConfig.fromEnv(api.env));
    const settled = await waitFor(
      () => deliveriesOf(matchId),
      (rows) => rows[0]?.status === 'uncertain' && rows[1]?.status === 'sent',
      30000,
      'the leases to expire and the sweep to settle both rows',
    );
    expect(settled[0].last_error).toMatch(/may have left, so it is not sent again/);
    expect(settled[1].attempts).toBe(2);
    const copies = receiver.received.filter((r) => r.headers['x-salw-delivery'] === settled[1].id);
    expect(copies).toHaveLength(2); // the receiver dedupes on X-Salw-Delivery
    expect(copies[0].body).toBe(copies[1].body);
    const log = await db.query(
      `SELECT attempt, success, error FROM webhook_attempt WHERE delivery_id = $1 ORDER BY attempt`,
      [settled[1].id],
    );
    expect(log).toEqual([
      {
        attempt: 1,
        success: false,
        error: 'outcome unknown: the worker stopped during the attempt',
      },
      { attempt: 2, success: true, error: null },
    ]);
    // The e-mail the child handed over arrived once and is never sent again.
    expect(
      smtp.messages.filter((m) => m.headers.get('x-salw-delivery') === settled[0].id),
    ).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 1000));
    expect(smtp.messages).toHaveLength(1);
    expect(
      receiver.received.filter((r) => r.headers['x-salw-delivery'] === settled[1].id),
    ).toHaveLength(2);
  }, 150000);

  it('a worker stopped between attempts, and its queued jobs lost: the retry still happens, once', async () => {
    await setEmail(cast.sle.token, false);
    receiver.state.mode = 'fail';
    const before = receiver.received.length;
    const matchId = await proposeNewMatch();
    const [pending] = await waitFor(
      () => deliveriesOf(matchId),
      (rows) => rows.length === 1 && rows[0].status === 'pending' && rows[0].attempts === 1,
      20000,
      'the first attempt to fail',
    );
    // Stop the worker before the retry (due in 4 s), and lose everything it had queued.
    await worker!.close();
    worker = undefined;
    const queue = api.app.get(QueueService).queue('notifications');
    await queue.obliterate({ force: true });
    expect(await queue.getJobCounts('delayed', 'waiting')).toEqual({ delayed: 0, waiting: 0 });
    receiver.state.mode = 'ok';

    worker = await bootTestWorker(AppConfig.fromEnv(api.env));
    const [done] = await waitFor(
      () => deliveriesOf(matchId),
      (rows) => rows[0]?.status === 'sent',
      30000,
      'the retry after the restart',
    );
    expect(done).toMatchObject({ id: pending.id, attempts: 2 });
    await new Promise((r) => setTimeout(r, 1500)); // several sweeps later: still exactly two requests
    const hits = receiver.received.slice(before);
    expect(hits.map((h) => [h.headers['x-salw-delivery'], h.answered])).toEqual([
      [pending.id, 500],
      [pending.id, 200],
    ]);
  }, 90000);
});
