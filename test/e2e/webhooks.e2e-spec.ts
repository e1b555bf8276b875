import type { TestingModule } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../src/config/app-config';
import { verifySignature } from '../../src/modules/notifications/webhooks/webhook-signature';
import { fireMatch, insertMatch } from '../factories/matches.factory';
import { Cast, createCast, createNeed, publishNeed } from '../factories/needs.factory';
import { createActiveOffer } from '../factories/offers.factory';
import { startSmtpSink, SmtpSink } from '../utils/smtp-sink';
import { bootTestApi, TestApi } from '../utils/test-app';
import { bootTestWorker } from '../utils/test-worker';
import { waitFor } from '../utils/wait';
import { startReceiver } from '../utils/webhook-receiver';

describe('webhooks: registered by a party, signed, retried, disabled, redelivered', () => {
  let api: TestApi;
  let db: DataSource;
  let cast: Cast;
  let smtp: SmtpSink;
  let worker: TestingModule;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let needId: string;

  const as = (token: string) => ({
    get: (path: string) => api.http.get(`/api/v1${path}`).set('Authorization', `Bearer ${token}`),
    post: (path: string, body?: object) =>
      api.http.post(`/api/v1${path}`).set('Authorization', `Bearer ${token}`).send(body),
    patch: (path: string, body: object) =>
      api.http.patch(`/api/v1${path}`).set('Authorization', `Bearer ${token}`).send(body),
    delete: (path: string) =>
      api.http.delete(`/api/v1${path}`).set('Authorization', `Bearer ${token}`),
  });
  const newMatch = async () => {
    const offer = await createActiveOffer(api, cast.donor.token);
    // At version 2 (as after an interest): the worker's own matching run for the new offer, which
    // may finish after this insert, then leaves it alone instead of removing an untouched pair
    // below MATCH_MIN_SCORE.
    return insertMatch(api, { needId, offerId: offer.id, version: 2 });
  };

  beforeAll(async () => {
    smtp = await startSmtpSink();
    receiver = await startReceiver();
    api = await bootTestApi({
      env: {
        SMTP_URL: smtp.url,
        WEBHOOK_ALLOW_INSECURE: 'true',
        WEBHOOK_RETRY_BASE_MS: '200',
        WEBHOOK_RETRY_WINDOW_MS: '2500',
        WEBHOOK_TIMEOUT_MS: '2000',
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
    worker = await bootTestWorker(AppConfig.fromEnv(api.env));
  });
  afterAll(async () => {
    await worker?.close();
    await api.close();
    await receiver.close();
    await smtp.close();
  });

  let endpointId: string;
  let secret: string;

  it('registration: the secret is shown once and stored encrypted; bad URLs are 422 on the url field', async () => {
    const sle = as(cast.sle.token);
    const bad = await sle.post('/webhooks', {
      url: 'ftp://127.0.0.1/x',
      eventTypes: ['match.proposed'],
    });
    expect(bad.status).toBe(422);
    expect(bad.body.details).toEqual([{ field: 'url', messages: ['url must use https'] }]);
    const nowhere = await sle.post('/webhooks', {
      url: 'http://no-such-host.invalid/x',
      eventTypes: ['match.proposed'],
    });
    expect(nowhere.status).toBe(422);
    expect(nowhere.body.details[0].messages[0]).toMatch(/does not resolve/);
    const unknownType = await sle.post('/webhooks', {
      url: receiver.url,
      eventTypes: ['webhook.disabled'],
    });
    expect(unknownType.status).toBe(400);
    await as(cast.secretariat.token).get('/webhooks').expect(200);
    await as(cast.sle.token).post('/webhooks', {}).expect(400);

    const created = await sle
      .post('/webhooks', {
        url: receiver.url,
        eventTypes: ['match.proposed', 'match.declined'],
        description: 'National reporting tool',
      })
      .expect(201);
    endpointId = created.body.id;
    secret = created.body.secret;
    expect(created.body).toMatchObject({
      partyId: cast.sleParty,
      url: receiver.url,
      active: true,
      eventTypes: ['match.proposed', 'match.declined'],
      secretHint: `…${secret.slice(-4)}`,
    });
    expect(secret).toMatch(/^whsec_/);
    const fetched = await sle.get(`/webhooks/${endpointId}`).expect(200);
    expect(fetched.body).not.toHaveProperty('secret');
    expect(JSON.stringify((await sle.get('/webhooks').expect(200)).body)).not.toContain(secret);
    const [row] = await db.query(`SELECT secret_sealed FROM webhook_endpoint WHERE id = $1`, [
      endpointId,
    ]);
    expect(row.secret_sealed).toMatch(/^v1\./);
    expect(row.secret_sealed).not.toContain(secret.slice(6));
    // Another party sees nothing of it.
    await as(cast.donor.token).get(`/webhooks/${endpointId}`).expect(404);
    await as(cast.per.token).patch(`/webhooks/${endpointId}`, { active: false }).expect(404);
    await as(cast.per.token).get(`/webhooks/${endpointId}/deliveries`).expect(404);
    const [audit] = await db.query(
      `SELECT action, changes::text AS changes FROM audit_entry WHERE entity_id = $1`,
      [endpointId],
    );
    expect(audit.action).toBe('webhook.create');
    expect(audit.changes).not.toContain(secret);
  });

  it('a signed delivery reaches the receiver, which verifies it', async () => {
    const match = await newMatch();
    await fireMatch(api, cast.secretariat.token, match.id, 'propose', match.version).expect(200);
    const [hit] = await waitFor(
      () => receiver.received,
      (r) => r.length === 1,
      15000,
      'the webhook',
    );
    expect(verifySignature(secret, hit.body, hit.headers['x-salw-signature'] as string)).toBe(true);
    expect(
      verifySignature('whsec_other', hit.body, hit.headers['x-salw-signature'] as string),
    ).toBe(false);
    expect(verifySignature(secret, hit.body + ' ', hit.headers['x-salw-signature'] as string)).toBe(
      false,
    );
    const payload = JSON.parse(hit.body);
    expect(payload).toMatchObject({
      id: hit.headers['x-salw-delivery'],
      type: 'match.proposed',
      entityType: 'match',
      entityId: match.id,
      data: { matchId: match.id, needId, state: 'Sierra Leone', donor: 'UNSCAR' },
    });
    expect(hit.headers).toMatchObject({
      'content-type': 'application/json',
      'x-salw-event': 'match.proposed',
      'x-salw-attempt': '1',
    });
    const log = await waitFor(
      async () =>
        (await as(cast.sle.token).get(`/webhooks/${endpointId}/deliveries`).expect(200)).body,
      (b) => b.items[0]?.status === 'sent',
      10000,
      'the delivery log',
    );
    expect(log.items[0]).toMatchObject({
      id: payload.id,
      eventType: 'match.proposed',
      status: 'sent',
      attempts: 1,
      attemptLog: [
        { attempt: 1, statusCode: 200, success: true, error: null, durationMs: expect.any(Number) },
      ],
    });
  });

  it('rotating the secret: the new one is shown once, signs what follows, and the old one no longer verifies', async () => {
    await as(cast.per.token).post(`/webhooks/${endpointId}/rotate-secret`).expect(404);
    const rotated = await as(cast.sle.token).post(`/webhooks/${endpointId}/rotate-secret`);
    expect(rotated.status).toBe(200);
    const fresh = rotated.body.secret as string;
    expect(fresh).toMatch(/^whsec_/);
    expect(fresh).not.toBe(secret);
    expect(rotated.body.secretHint).toBe(`…${fresh.slice(-4)}`);
    const seen = receiver.received.length;
    const match = await newMatch();
    await fireMatch(api, cast.secretariat.token, match.id, 'propose', match.version).expect(200);
    const [hit] = await waitFor(
      () => receiver.received.slice(seen),
      (r) => r.length === 1,
      15000,
      'the webhook after rotation',
    );
    const signature = hit.headers['x-salw-signature'] as string;
    expect(verifySignature(fresh, hit.body, signature)).toBe(true);
    expect(verifySignature(secret, hit.body, signature)).toBe(false);
    const [audit] = await db.query(
      `SELECT changes::text AS changes FROM audit_entry
        WHERE action = 'webhook.rotate_secret' AND entity_id = $1`,
      [endpointId],
    );
    // Audited, with nothing of either secret in the entry.
    expect(audit.changes).not.toContain(fresh.slice(6, 20));
    expect(audit.changes).not.toContain(secret.slice(6, 20));
    secret = fresh;
  });

  it('a failing receiver gets retries with growing delays; persistent failure disables the endpoint and tells the party', async () => {
    receiver.state.mode = 'fail';
    const before = receiver.received.length;
    const match = await newMatch();
    await fireMatch(api, cast.sle.token, match.id, 'decline', match.version, {
      reasonCode: 'timing',
    }).expect(200);
    const [delivery] = await waitFor(
      () =>
        db.query(
          `SELECT d.id, d.status FROM notification_delivery d JOIN notification_event e ON e.id = d.event_id
            WHERE d.endpoint_id = $1 AND e.type = 'match.declined'`,
          [endpointId],
        ),
      (rows: { id: string; status: string }[]) => rows.length === 1 && rows[0].status === 'failed',
      20000,
      'the delivery to give up',
    );
    const attempts: { attempt: number; started_at: Date; status_code: number; success: boolean }[] =
      await db.query(
        `SELECT attempt, started_at, status_code, success FROM webhook_attempt WHERE delivery_id = $1 ORDER BY attempt`,
        [delivery.id],
      );
    expect(attempts.length).toBeGreaterThanOrEqual(4);
    expect(attempts.map((a) => a.attempt)).toEqual(attempts.map((_, i) => i + 1));
    expect(attempts.every((a) => a.status_code === 500 && !a.success)).toBe(true);
    const gaps = attempts.slice(1).map((a, i) => +a.started_at - +attempts[i].started_at);
    // Backoff 200, 400, 800, 1600 ms …: each wait at least its scheduled delay, each longer than the last.
    gaps.forEach((gap, i) => expect(gap).toBeGreaterThanOrEqual(200 * 2 ** i - 50));
    gaps.slice(1).forEach((gap, i) => expect(gap).toBeGreaterThan(gaps[i]));
    const hits = receiver.received.slice(before);
    expect(new Set(hits.map((h) => h.headers['x-salw-delivery']))).toEqual(new Set([delivery.id]));
    expect(new Set(hits.map((h) => h.body)).size).toBe(1); // same bytes every time

    // Disabled, audited, announced — and the party's users are told in the app and by e-mail.
    const endpoint = (await as(cast.sle.token).get(`/webhooks/${endpointId}`).expect(200)).body;
    expect(endpoint).toMatchObject({ active: false, disabledAt: expect.any(String) });
    expect(endpoint.disabledReason).toMatch(/last error: HTTP 500/);
    const told = await waitFor(
      async () =>
        (await as(cast.sle.token).get('/notifications').expect(200)).body.items as {
          eventType: string;
        }[],
      (items) => items.some((i) => i.eventType === 'webhook.disabled'),
      15000,
      'the notice',
    );
    expect(told.filter((i) => i.eventType === 'webhook.disabled')).toHaveLength(1);
    const mail = await waitFor(
      () => smtp.messages.filter((m) => m.subject === `Webhook disabled: ${receiver.url}`),
      (m) => m.length >= 2, // both users of the State party: the national contact and the donor-side user
      15000,
      'the notice by e-mail',
    );
    expect(mail).toHaveLength(2);
    expect(mail[0].text).toContain('Last error: Every delivery failed since');
    const [audit] = await db.query(
      `SELECT actor_kind FROM audit_entry WHERE action = 'webhook.disable' AND entity_id = $1`,
      [endpointId],
    );
    expect(audit.actor_kind).toBe('system');
    // Nothing goes to a disabled endpoint.
    const quiet = receiver.received.length;
    const other = await newMatch();
    await fireMatch(api, cast.secretariat.token, other.id, 'propose', other.version).expect(200);
    await waitFor(
      () =>
        db.query(
          `SELECT 1 FROM notification_event WHERE entity_id = $1 AND type = 'match.proposed'`,
          [other.id],
        ),
      (r: unknown[]) => r.length === 1,
      15000,
      'the proposal event',
    );
    expect(receiver.received.length).toBe(quiet);
    await as(cast.sle.token)
      .post(`/webhooks/${endpointId}/deliveries/${delivery.id}/redeliver`)
      .expect(409);

    // Fixed and enabled again: the failed delivery is sent on request, same id, and succeeds.
    receiver.state.mode = 'ok';
    await as(cast.sle.token).patch(`/webhooks/${endpointId}`, { active: true }).expect(200);
    const redone = await as(cast.sle.token)
      .post(`/webhooks/${endpointId}/deliveries/${delivery.id}/redeliver`)
      .expect(202);
    expect(redone.body).toEqual({ id: delivery.id, status: 'pending' });
    const again = await waitFor(
      () =>
        receiver.received.filter(
          (h) => h.headers['x-salw-delivery'] === delivery.id && h.answered === 200,
        ),
      (h) => h.length === 1,
      15000,
      'the redelivery',
    );
    expect(again[0].body).toBe(hits[0].body);
    expect(
      verifySignature(secret, again[0].body, again[0].headers['x-salw-signature'] as string),
    ).toBe(true);
    const log = await waitFor(
      async () =>
        (await as(cast.sle.token).get(`/webhooks/${endpointId}/deliveries?limit=200`).expect(200))
          .body.items as { id: string; status: string; attemptLog: { success: boolean }[] }[],
      (items) => items.find((d) => d.id === delivery.id)?.status === 'sent',
      10000,
      'the log after redelivery',
    );
    const entry = log.find((d) => d.id === delivery.id)!;
    expect(entry.attemptLog).toHaveLength(attempts.length + 1);
    expect(entry.attemptLog[attempts.length]).toMatchObject({ success: true, statusCode: 200 });
    await as(cast.donor.token)
      .post(`/webhooks/${endpointId}/deliveries/${delivery.id}/redeliver`)
      .expect(404);
  });

  it('update and delete', async () => {
    const sle = as(cast.sle.token);
    const updated = await sle
      .patch(`/webhooks/${endpointId}`, { eventTypes: ['match.agreed'], description: 'v2' })
      .expect(200);
    expect(updated.body).toMatchObject({
      eventTypes: ['match.agreed'],
      description: 'v2',
      active: true,
    });
    await sle.patch(`/webhooks/${endpointId}`, { url: 'gopher://x' }).expect(422);
    await sle.patch(`/webhooks/${endpointId}`, { eventTypes: [] }).expect(400);
    await as(cast.per.token).delete(`/webhooks/${endpointId}`).expect(404);
    await sle.delete(`/webhooks/${endpointId}`).expect(204);
    await sle.get(`/webhooks/${endpointId}`).expect(404);
    const actions = await db.query(
      `SELECT action FROM audit_entry WHERE entity_id = $1 ORDER BY at, action`,
      [endpointId],
    );
    expect(actions.map((a: { action: string }) => a.action)).toEqual(
      expect.arrayContaining([
        'webhook.create',
        'webhook.update',
        'webhook.redeliver',
        'webhook.delete',
      ]),
    );
  });
});

describe('webhook URLs outside development', () => {
  let api: TestApi;
  let token: string;
  beforeAll(async () => {
    api = await bootTestApi();
    token = (await createCast(api)).donor.token;
  });
  afterAll(() => api.close());

  it.each([
    ['http://93.184.216.34/hook', 'url must use https'],
    ['https://127.0.0.1/hook', 'private, loopback'],
    ['https://localhost:8443/hook', 'private, loopback'],
    ['https://[::1]/hook', 'private, loopback'],
    ['https://[::ffff:10.0.0.1]/hook', 'private, loopback'],
    ['https://169.254.169.254/latest/meta-data', 'private, loopback'],
    ['https://[fe80::1]/hook', 'private, loopback'],
  ])('refuses %s with 422 on the url field', async (url, message) => {
    const res = await api.http
      .post('/api/v1/webhooks')
      .set('Authorization', `Bearer ${token}`)
      .send({ url, eventTypes: ['match.proposed'] });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('UNPROCESSABLE');
    expect(res.body.details).toEqual([
      { field: 'url', messages: [expect.stringContaining(message)] },
    ]);
  });
});
