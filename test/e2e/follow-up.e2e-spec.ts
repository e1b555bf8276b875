import type { TestingModule } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../src/config/app-config';
import { FollowUpService } from '../../src/modules/notifications/follow-up.service';
import { insertMatch } from '../factories/matches.factory';
import { Actor, Cast, createCast, createNeed, publishNeed } from '../factories/needs.factory';
import { createActiveOffer } from '../factories/offers.factory';
import { startSmtpSink, SmtpSink } from '../utils/smtp-sink';
import { bootTestApi, TestApi } from '../utils/test-app';
import { bootTestWorker } from '../utils/test-worker';
import { waitFor } from '../utils/wait';

describe('follow-up: reminders after agreement, stale needs, expiry — each once per period', () => {
  let api: TestApi;
  let db: DataSource;
  let cast: Cast;
  let smtp: SmtpSink;
  let worker: TestingModule;
  let followUp: FollowUpService;

  const inbox = async (actor: Actor) =>
    (
      await api.http
        .get('/api/v1/notifications?limit=200')
        .set('Authorization', `Bearer ${actor.token}`)
        .expect(200)
    ).body.items as { eventType: string; entityId: string; title: string; body: string }[];
  const ofType = async (actor: Actor, type: string) =>
    (await inbox(actor)).filter((i) => i.eventType === type);
  const published = async (overrides: Record<string, unknown> = {}) =>
    publishNeed(api, cast, await createNeed(api, cast.sle.token, overrides));

  beforeAll(async () => {
    smtp = await startSmtpSink();
    api = await bootTestApi({
      env: {
        SMTP_URL: smtp.url,
        MATCH_MIN_SCORE: '0.99',
        FOLLOW_UP_AGREEMENT_DAYS: '365',
        FOLLOW_UP_STALE_NEED_DAYS: '90',
        WRITE_RATE_LIMIT_PER_MIN: '100000',
      },
    });
    db = api.app.get(DataSource);
    cast = await createCast(api);
    worker = await bootTestWorker(AppConfig.fromEnv(api.env));
    followUp = worker.get(FollowUpService);
  });
  afterAll(async () => {
    await worker?.close();
    await api.close();
    await smtp.close();
  });

  it('a need past its needed-by date expires like any transition: version, audit, outbox, notices', async () => {
    const need = await published({ title: 'Border control training' });
    const open = await published({ title: 'Still needed' });
    await db.query(
      `UPDATE need SET earliest_start = NULL, needed_by = current_date - 1 WHERE id = $1`,
      [need.id],
    );
    const first = await followUp.run();
    expect(first.expired).toEqual([need.id]);
    expect((await followUp.run()).expired).toEqual([]);
    const res = await api.http
      .get(`/api/v1/needs/${need.id}`)
      .set('Authorization', `Bearer ${cast.sle.token}`)
      .expect(200);
    expect(res.body).toMatchObject({ status: 'expired', version: need.version + 1 });
    expect(res.headers.etag).toBe(`"${need.version + 1}"`);
    const [audit] = await db.query(
      `SELECT actor_kind, changes, metadata FROM audit_entry WHERE action = 'need.expire' AND entity_id = $1`,
      [need.id],
    );
    expect(audit).toMatchObject({
      actor_kind: 'system',
      changes: { status: { before: 'published', after: 'expired' } },
      metadata: { from: 'published', to: 'expired' },
    });
    const events = await db.query(
      `SELECT type, version FROM outbox_event WHERE entity_id = $1 AND type = 'need.expired'`,
      [need.id],
    );
    expect(events).toEqual([{ type: 'need.expired', version: need.version + 1 }]);
    // The State and the secretariat are told, once; nobody else.
    for (const actor of [cast.sle, cast.secretariat]) {
      await waitFor(
        () => ofType(actor, 'need.expired'),
        (i) => i.length === 1,
        15000,
        'expiry notice',
      );
    }
    expect((await ofType(cast.sle, 'need.expired'))[0].title).toBe(
      'Need expired: Border control training',
    );
    expect(await ofType(cast.donor, 'need.expired')).toEqual([]);
    expect(await ofType(cast.per, 'need.expired')).toEqual([]);
    const other = await api.http
      .get(`/api/v1/needs/${open.id}`)
      .set('Authorization', `Bearer ${cast.sle.token}`)
      .expect(200);
    expect(other.body.status).toBe('published');
  });

  it('a need the matching engine holds a key-share lock on still expires, and concurrent runs expire it once', async () => {
    const held = await published({ title: 'Being paired' });
    const second = await published({ title: 'Also overdue' });
    await db.query(
      `UPDATE need SET earliest_start = NULL, needed_by = current_date - 1 WHERE id = ANY($1::uuid[])`,
      [[held.id, second.id]],
    );
    // The matching engine locks a need FOR KEY SHARE while it inserts the need's pairs.
    const engine = db.createQueryRunner();
    await engine.connect();
    try {
      await engine.startTransaction();
      await engine.query(`SELECT FROM need WHERE id = $1 FOR KEY SHARE`, [held.id]);
      const runs = await Promise.all([followUp.run(), followUp.run()]);
      expect(runs.flatMap((r) => r.expired).sort()).toEqual([held.id, second.id].sort());
    } finally {
      await engine.rollbackTransaction();
      await engine.release();
    }
    const audits = await db.query(
      `SELECT entity_id FROM audit_entry WHERE action = 'need.expire' AND entity_id = ANY($1::text[])`,
      [[held.id, second.id]],
    );
    expect(audits).toHaveLength(2);
  });

  it('both parties are reminded a year after agreement, once per year', async () => {
    const need = await published({ title: 'Stockpile management' });
    const offer = await createActiveOffer(api, cast.donor.token);
    const match = await insertMatch(api, {
      needId: need.id,
      offerId: offer.id,
      status: 'agreed',
      version: 4,
    });
    await db.query(
      `UPDATE match_suggestion SET state_interest_at = now() - interval '200 days', donor_interest_at = now() - interval '400 days' WHERE id = $1`,
      [match.id],
    );
    expect((await followUp.run()).agreementReminders).toBe(0); // agreed 200 days ago (the later interest)
    await db.query(
      `UPDATE match_suggestion SET state_interest_at = now() - interval '370 days' WHERE id = $1`,
      [match.id],
    );
    expect((await followUp.run()).agreementReminders).toBe(1);
    expect((await followUp.run()).agreementReminders).toBe(0);
    for (const actor of [cast.sle, cast.donor]) {
      const [reminder] = await ofType(actor, 'follow_up.agreement');
      expect(reminder).toMatchObject({
        entityId: match.id,
        title: 'Follow-up: Stockpile management',
      });
      expect(reminder.body).toContain('370 days ago Sierra Leone and UNSCAR agreed');
    }
    expect(await ofType(cast.secretariat, 'follow_up.agreement')).toEqual([]);
    expect(await ofType(cast.per, 'follow_up.agreement')).toEqual([]);
    // A year later: the second reminder, again once.
    await db.query(
      `UPDATE match_suggestion SET state_interest_at = now() - interval '800 days', donor_interest_at = now() - interval '731 days' WHERE id = $1`,
      [match.id],
    );
    expect((await followUp.run()).agreementReminders).toBe(1);
    expect((await followUp.run()).agreementReminders).toBe(0);
    expect(await ofType(cast.sle, 'follow_up.agreement')).toHaveLength(2);
    // Both e-mails arrive (one per user per reminder).
    await waitFor(
      () => smtp.messages.filter((m) => m.subject === 'Follow-up: Stockpile management'),
      (m) => m.length === 4,
      15000,
      'four reminder e-mails',
    );
  });

  it('the secretariat is reminded of needs published 90 days without an agreed match, once per period', async () => {
    const stale = await published({ title: 'Weapons collection campaign' });
    const matched = await published({ title: 'Already agreed' });
    const recent = await published({ title: 'Recent' });
    await db.query(
      `UPDATE need SET published_at = now() - interval '95 days' WHERE id = ANY($1::uuid[])`,
      [[stale.id, matched.id]],
    );
    const offer = await createActiveOffer(api, cast.donor.token);
    await insertMatch(api, { needId: matched.id, offerId: offer.id, status: 'agreed', version: 4 });
    const first = await followUp.run();
    expect(first.staleNeedReminders).toBe(1);
    expect((await followUp.run()).staleNeedReminders).toBe(0);
    const reminders = await ofType(cast.secretariat, 'follow_up.stale_need');
    expect(reminders.map((r) => r.entityId)).toEqual([stale.id]);
    expect(reminders[0].body).toBe(
      'The need “Weapons collection campaign” of Sierra Leone was published 95 days ago and has no agreed match yet.',
    );
    expect(await ofType(cast.sle, 'follow_up.stale_need')).toEqual([]);
    expect(recent.id).not.toBe(stale.id);
  });
});
