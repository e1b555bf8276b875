import type { TestingModule } from '@nestjs/testing';
import type { ParsedMail } from 'mailparser';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../src/config/app-config';
import { DomainEventBus } from '../../src/modules/outbox/domain-events';
import { DigestService } from '../../src/modules/notifications/digest.service';
import { QueueService } from '../../src/queue/queue.service';
import { commitBody, fireMatch } from '../factories/matches.factory';
import {
  Actor,
  Cast,
  createCast,
  createNeed,
  fireNeed,
  publishNeed,
} from '../factories/needs.factory';
import { createActiveOffer } from '../factories/offers.factory';
import { startSmtpSink, SmtpSink } from '../utils/smtp-sink';
import { bootTestApi, TestApi } from '../utils/test-app';
import { bootTestWorker } from '../utils/test-worker';
import { waitFor } from '../utils/wait';

type Item = {
  id: string;
  eventType: string;
  entityId: string;
  title: string;
  body: string;
  readAt: string | null;
};

describe('notifications: every step of a match reaches the right people, once, in their language', () => {
  let api: TestApi;
  let db: DataSource;
  let cast: Cast;
  let smtp: SmtpSink;
  let worker: TestingModule;
  const emailOf = new Map<string, string>();

  const get = (path: string, token: string) =>
    api.http.get(`/api/v1${path}`).set('Authorization', `Bearer ${token}`);
  const inbox = async (actor: Actor): Promise<Item[]> => {
    const items: Item[] = [];
    let cursor: string | null = null;
    do {
      const res: { body: { items: Item[]; nextCursor: string | null } } = await get(
        `/notifications?limit=3${cursor ? `&cursor=${cursor}` : ''}`,
        actor.token,
      ).expect(200);
      items.push(...res.body.items);
      cursor = res.body.nextCursor;
    } while (cursor);
    return items;
  };
  const keys = (items: Item[]) => items.map((i) => `${i.eventType} ${i.entityId}`).sort();
  const mailsTo = (actor: Actor): ParsedMail[] =>
    smtp.messages.filter((m) =>
      (Array.isArray(m.to) ? m.to : [m.to]).some((t) =>
        t?.value.some((v) => v.address === emailOf.get(actor.userId)),
      ),
    );
  /** Waits until the worker has nothing left to do for the events and deliveries so far. */
  const settle = async () => {
    const queues = api.app.get(QueueService);
    await waitFor(
      async () => {
        const [outbox] = await db.query(
          `SELECT count(*)::int AS n FROM outbox_event WHERE published_at IS NULL`,
        );
        const counts = await Promise.all(
          (['events', 'notifications'] as const).map((q) =>
            queues.queue(q).getJobCounts('waiting', 'active', 'prioritized'),
          ),
        );
        const [pending] = await db.query(
          `SELECT count(*)::int AS n FROM notification_delivery WHERE status IN ('pending', 'sending')`,
        );
        return (
          outbox.n +
          pending.n +
          counts.reduce((s, c) => s + c.waiting + c.active + c.prioritized, 0)
        );
      },
      (n) => n === 0,
      20000,
      'the worker to be idle',
    );
  };

  beforeAll(async () => {
    smtp = await startSmtpSink();
    api = await bootTestApi({
      env: {
        SMTP_URL: smtp.url,
        MATCH_MIN_SCORE: '0.1',
        NOTIFY_SUGGESTION_MIN_SCORE: '0.1',
        NOTIFY_SWEEP_EVERY_MS: '300',
        WRITE_RATE_LIMIT_PER_MIN: '100000',
        PUBLIC_BASE_URL: 'https://salw.example.org',
      },
    });
    db = api.app.get(DataSource);
    cast = await createCast(api);
    const users: { id: string; email: string }[] = await db.query(`SELECT id, email FROM app_user`);
    users.forEach((u) => emailOf.set(u.id, u.email));
    worker = await bootTestWorker(AppConfig.fromEnv(api.env));
  });
  afterAll(async () => {
    await worker?.close();
    await api.close();
    await smtp.close();
  });

  it('users choose their language and their channels per event type', async () => {
    await api.http
      .patch('/api/v1/me')
      .set('Authorization', `Bearer ${cast.sle.token}`)
      .send({ language: 'fr' })
      .expect(200);
    await api.http
      .patch('/api/v1/me')
      .set('Authorization', `Bearer ${cast.secretariat.token}`)
      .send({ language: 'es' })
      .expect(200);
    const defaults = await get('/notification-preferences', cast.secretariat.token).expect(200);
    expect(defaults.body.preferences).toEqual(
      expect.arrayContaining([
        { eventType: 'match.suggested', inApp: true, email: true, emailMode: 'digest' },
        { eventType: 'match.interest', inApp: true, email: true, emailMode: 'immediate' },
      ]),
    );
    const put = (body: object) =>
      api.http
        .put('/api/v1/notification-preferences')
        .set('Authorization', `Bearer ${cast.secretariat.token}`)
        .send(body);
    const bad = await put({ preferences: [{ eventType: 'match.nonsense', emailMode: 'weekly' }] });
    expect(bad.status).toBe(400);
    expect(bad.body.details.map((d: { field: string }) => d.field).sort()).toEqual([
      'preferences.0.emailMode',
      'preferences.0.eventType',
    ]);
    await put({}).expect(400);
    // The secretariat reads interest in the app only; suggestions by e-mail at once.
    const changed = await put({
      preferences: [
        { eventType: 'match.interest', email: false },
        { eventType: 'match.suggested', emailMode: 'immediate', email: false },
      ],
    }).expect(200);
    expect(changed.body.preferences).toEqual(
      expect.arrayContaining([
        { eventType: 'match.interest', inApp: true, email: false, emailMode: 'immediate' },
        { eventType: 'match.suggested', inApp: true, email: false, emailMode: 'immediate' },
      ]),
    );
  });

  let needId: string;
  let matchA: string;
  let matchB: string;

  it('the review journey: each party gets exactly its notifications, a third party nothing', async () => {
    const offerA = await createActiveOffer(api, cast.donor.token, {
      title: 'Marking machines and training',
      budget: { total: 300000, currency: 'USD' },
    });
    const offerB = await createActiveOffer(api, cast.donor.token, {
      title: 'Armoury record-keeping software',
      budget: { total: 200000, currency: 'USD' },
    });
    const draft = await createNeed(api, cast.sle.token, { title: 'Marquage des armes' });
    needId = draft.id;
    await publishNeed(api, cast, draft);
    const matches = await waitFor(
      async () =>
        (await get(`/needs/${needId}/matches`, cast.secretariat.token)).body.items as {
          id: string;
          offerId: string;
        }[],
      (m) => m.length === 2,
      20000,
      'two suggestions',
    );
    matchA = matches.find((m) => m.offerId === offerA.id)!.id;
    matchB = matches.find((m) => m.offerId === offerB.id)!.id;

    // Suggestions reach the State, the donor and the secretariat (through the sweep).
    await waitFor(
      () => inbox(cast.sle),
      (i) => i.filter((n) => n.eventType === 'match.suggested').length === 2,
      20000,
      'suggestions for the State',
    );

    await fireMatch(api, cast.secretariat.token, matchA, 'propose', 1).expect(200);
    await fireMatch(api, cast.sle.token, matchA, 'interest', 2).expect(200);
    await fireMatch(api, cast.donor.token, matchA, 'interest', 3).expect(200);
    await fireMatch(
      api,
      cast.donor.token,
      matchA,
      'commit',
      4,
      commitBody({ amount: 50000 }),
    ).expect(200);
    await api.http
      .post(`/api/v1/matches/${matchA}/comments`)
      .set('Authorization', `Bearer ${cast.sle.token}`)
      .send({ body: 'Merci ! Les machines arriveront-elles avant mars ?' })
      .expect(201);
    await fireMatch(api, cast.donor.token, matchB, 'decline', 1, {
      reasonCode: 'no_budget',
    }).expect(200);
    await settle();

    const k = (type: string, id: string) => `${type} ${id}`;
    expect(keys(await inbox(cast.sle))).toEqual(
      [
        k('need.published', needId),
        k('match.suggested', matchA),
        k('match.suggested', matchB),
        k('match.proposed', matchA),
        k('match.agreed', matchA),
        k('match.committed', matchA),
        k('match.declined', matchB),
      ].sort(),
    );
    expect(keys(await inbox(cast.donor))).toEqual(
      [
        k('match.suggested', matchA),
        k('match.suggested', matchB),
        k('match.proposed', matchA),
        k('match.interest', matchA),
        k('match.comment_added', matchA),
      ].sort(),
    );
    expect(keys(await inbox(cast.secretariat))).toEqual(
      [
        k('need.submitted', needId),
        k('match.suggested', matchA),
        k('match.suggested', matchB),
        k('match.interest', matchA),
        k('match.agreed', matchA),
        k('match.committed', matchA),
        k('match.comment_added', matchA),
        k('match.declined', matchB),
      ].sort(),
    );
    // Another State, a donor-side user of the State's own party, an NGO: nothing at all.
    for (const outsider of [cast.per, cast.sleDonorSide, cast.ngo]) {
      expect(await inbox(outsider)).toEqual([]);
      expect(mailsTo(outsider)).toEqual([]);
    }

    // Texts in each reader's language.
    const sleItems = await inbox(cast.sle);
    expect(sleItems.find((i) => i.eventType === 'match.proposed')!.title).toBe(
      'Correspondance proposée : Marquage des armes',
    );
    expect(sleItems.find((i) => i.eventType === 'match.committed')!.body).toMatch(
      /UNSCAR a engagé 50\s000,00\sUSD pour le besoin « Marquage des armes »/,
    );
    const secretariatItems = await inbox(cast.secretariat);
    expect(secretariatItems.find((i) => i.eventType === 'match.declined')!.body).toContain(
      '(motivo: sin presupuesto)',
    );
    expect(
      (await inbox(cast.donor)).find((i) => i.eventType === 'match.comment_added')!.body,
    ).toContain('“Merci ! Les machines arriveront-elles avant mars ?”');
  });

  it('e-mails: immediate ones in the recipient’s language (HTML and text), each once; suggestions wait for the digest', async () => {
    const subjects = (actor: Actor) =>
      mailsTo(actor)
        .map((m) => m.subject)
        .sort();
    expect(subjects(cast.sle)).toEqual(
      [
        'Besoin publié : Marquage des armes',
        'Correspondance proposée : Marquage des armes',
        'Correspondance convenue : Marquage des armes',
        'Fonds engagés : Marquage des armes',
        'Correspondance déclinée : Marquage des armes',
      ].sort(),
    );
    // The secretariat turned interest e-mails and suggestion e-mails off.
    expect(subjects(cast.secretariat)).toEqual(
      [
        'Correspondencia acordada: Marquage des armes',
        'Fondos comprometidos: Marquage des armes',
        'Nuevo comentario: Marquage des armes',
        'Correspondencia rechazada: Marquage des armes',
      ].sort(),
    );
    expect(subjects(cast.donor)).toEqual(
      [
        'Match proposed: Marquage des armes',
        'Interest expressed: Marquage des armes',
        'New comment: Marquage des armes',
      ].sort(),
    );
    const proposal = mailsTo(cast.sle).find((m) =>
      m.subject?.startsWith('Correspondance proposée'),
    )!;
    expect(proposal.html).toContain('<html lang="fr" dir="ltr">');
    expect(proposal.html).toContain(
      'Le secrétariat propose l’offre « Marking machines and training » de UNSCAR',
    );
    expect(proposal.html).toContain(`href="https://salw.example.org/api/v1/matches/${matchA}"`);
    expect(proposal.text).toContain('Bonjour');
    expect(proposal.text).toContain(
      'Veuillez l’examiner, puis manifester votre intérêt ou la décliner.',
    );
    expect(proposal.text).toContain(`https://salw.example.org/api/v1/matches/${matchA}`);
    expect(proposal.headers.get('x-salw-delivery')).toEqual(expect.any(String));
    // One e-mail per delivery row, never two.
    const ids = smtp.messages.map((m) => m.headers.get('x-salw-delivery'));
    expect(new Set(ids).size).toBe(ids.length);
    const [sent] = await db.query(
      `SELECT count(*)::int AS n FROM notification_delivery WHERE channel = 'email' AND status = 'sent'`,
    );
    expect(sent.n).toBe(smtp.messages.length);

    // The daily digest: one e-mail per user gathering the suggestions; a second run sends none.
    const before = smtp.messages.length;
    const digests = worker.get(DigestService);
    // State and donor: their 2 suggestions each; the secretariat: the need submitted for review.
    expect(await digests.run()).toEqual({ digests: 3, items: 5 });
    expect(await digests.run()).toEqual({ digests: 0, items: 0 });
    await settle();
    expect(smtp.messages.length).toBe(before + 3);
    const digest = mailsTo(cast.sle).find(
      (m) => m.subject === 'Votre résumé quotidien : 2 notifications',
    )!;
    expect(digest.text).toContain('* Nouvelle correspondance suggérée : Marquage des armes');
    expect(digest.html).toContain('Voici ce qui s’est passé sur la plateforme');
    const [left] = await db.query(
      `SELECT count(*)::int AS n FROM notification_delivery WHERE status = 'digest'`,
    );
    expect(left.n).toBe(0);
  });

  it('an event delivered twice notifies nobody twice', async () => {
    const [event] = await db.query(
      `SELECT id, type, entity_type, entity_id, version, party_id, created_at FROM outbox_event
        WHERE type = 'match.propose' AND entity_id = $1`,
      [matchA],
    );
    const count = async () =>
      (await db.query(`SELECT count(*)::int AS n FROM notification_delivery`))[0].n as number;
    const before = await count();
    const bus = worker.get(DomainEventBus);
    const again = {
      outboxId: String(event.id),
      type: event.type,
      entityType: event.entity_type,
      entityId: event.entity_id,
      version: event.version,
      partyId: event.party_id,
      occurredAt: new Date(event.created_at).toISOString(),
    };
    await bus.dispatch(again);
    await Promise.all([bus.dispatch(again), bus.dispatch(again)]);
    expect(await count()).toBe(before);
    // The database itself refuses a second row for the same (event, recipient, channel).
    await expect(
      db.query(
        `INSERT INTO notification_delivery (event_id, channel, user_id, status)
         SELECT event_id, channel, user_id, 'pending' FROM notification_delivery WHERE channel = 'email' LIMIT 1`,
      ),
    ).rejects.toThrow(/notification_delivery_once/);
  });

  it('the inbox: unread first, mark one or all read, unread count, nobody else’s', async () => {
    const items = await inbox(cast.sle);
    expect(items[0]).toEqual({
      id: expect.any(String),
      eventType: expect.any(String),
      entityType: 'match',
      entityId: expect.any(String),
      title: expect.any(String),
      body: expect.any(String),
      link: expect.stringMatching(/^\/api\/v1\/matches\//),
      readAt: null,
      createdAt: expect.any(String),
    });
    const count = async (actor: Actor) =>
      (await get('/notifications/unread-count', actor.token).expect(200)).body.count as number;
    expect(await count(cast.sle)).toBe(7); // six about the matches, and the need's publication
    const oldest = items[items.length - 1];
    await api.http
      .post(`/api/v1/notifications/${oldest.id}/read`)
      .set('Authorization', `Bearer ${cast.donor.token}`)
      .expect(404);
    const read = await api.http
      .post(`/api/v1/notifications/${oldest.id}/read`)
      .set('Authorization', `Bearer ${cast.sle.token}`)
      .expect(200);
    expect(read.body.readAt).toEqual(expect.any(String));
    await api.http
      .post(`/api/v1/notifications/${oldest.id}/read`)
      .set('Authorization', `Bearer ${cast.sle.token}`)
      .expect(200);
    expect(await count(cast.sle)).toBe(6);
    // Read ones go last; the rest stay newest first.
    const reordered = await inbox(cast.sle);
    expect(reordered[reordered.length - 1].id).toBe(oldest.id);
    expect(reordered.slice(0, 6).map((i) => i.id)).toEqual(items.slice(0, 6).map((i) => i.id));
    const unreadOnly = await get('/notifications?unread=true', cast.sle.token).expect(200);
    expect(unreadOnly.body.items).toHaveLength(6);
    await get('/notifications?cursor=bm9wZQ', cast.sle.token).expect(400);
    const all = await api.http
      .post('/api/v1/notifications/read-all')
      .set('Authorization', `Bearer ${cast.sle.token}`)
      .expect(200);
    expect(all.body).toEqual({ count: 6 });
    expect(await count(cast.sle)).toBe(0);
    expect(await count(cast.donor)).toBeGreaterThan(0); // only the caller's
    const audited = await db.query(
      `SELECT action FROM audit_entry WHERE action LIKE 'notification%' ORDER BY at`,
    );
    expect(audited.map((a: { action: string }) => a.action)).toEqual(
      expect.arrayContaining([
        'notification_preferences.update',
        'notification.read',
        'notification.read_all',
      ]),
    );
  });

  it('a need filed on a State’s behalf asks that State’s national contacts for consent, and nobody else', async () => {
    const draft = await createNeed(api, cast.secretariat.token, {
      partyId: cast.perParty,
      title: 'Stockpile audit',
    });
    const submitted = await fireNeed(
      api,
      cast.secretariat.token,
      draft.id,
      'submit',
      draft.version,
    ).expect(200);
    await fireNeed(api, cast.secretariat.token, draft.id, 'publish', submitted.body.version).expect(
      200,
    );
    await settle();
    expect(keys(await inbox(cast.per))).toEqual([`need.consent_requested ${draft.id}`]);
    expect((await inbox(cast.donor)).filter((i) => i.entityId === draft.id)).toEqual([]);
    expect(mailsTo(cast.per).map((m) => m.subject)).toEqual([
      'Your consent is requested: Stockpile audit',
    ]);
  });

  it('coordination alerts reach every secretariat user', async () => {
    const [table] = await db.query(`SELECT to_regclass('coordination_alert') AS t`);
    if (!table.t) {
      // Issue 10's table is not in this schema: nothing to read an alert from.
      console.warn('coordination_alert absent: alert notification not exercised');
      return;
    }
    const [alert] = await db.query(
      `INSERT INTO coordination_alert (kind, dedupe_key, summary, need_id)
       VALUES ('over_commitment', $1, 'Commitments exceed the need by USD 10,000', $2) RETURNING id`,
      [`test-${Date.now()}`, needId],
    );
    await db.query(
      `INSERT INTO outbox_event (type, entity_type, entity_id, version, party_id)
       VALUES ('coordination.alert.raised', 'coordination_alert', $1, 1, NULL)`,
      [alert.id],
    );
    const item = await waitFor(
      async () => (await inbox(cast.secretariat)).find((i) => i.entityId === alert.id),
      (i) => !!i,
      15000,
      'the alert notification',
    );
    expect(item).toMatchObject({
      eventType: 'coordination.alert.raised',
      title: 'Alerta de coordinación: compromiso excesivo',
      body: 'Commitments exceed the need by USD 10,000',
    });
    await settle();
    for (const actor of [cast.sle, cast.donor, cast.per]) {
      expect((await inbox(actor)).filter((i) => i.entityId === alert.id)).toEqual([]);
    }
  });
  it('delivery, its end and a need returned to draft are told to the right people', async () => {
    const versionOf = async (id: string) =>
      (await get(`/matches/${id}`, cast.secretariat.token).expect(200)).body.version as number;
    await fireMatch(api, cast.donor.token, matchA, 'start', await versionOf(matchA)).expect(200);
    await fireMatch(api, cast.donor.token, matchA, 'deliver', await versionOf(matchA)).expect(200);
    await fireMatch(api, cast.secretariat.token, matchA, 'close', await versionOf(matchA)).expect(
      200,
    );
    const draft = await createNeed(api, cast.sle.token, { title: 'Formation des armuriers' });
    const submitted = await fireNeed(api, cast.sle.token, draft.id, 'submit', draft.version);
    await fireNeed(api, cast.secretariat.token, draft.id, 'return', submitted.body.version, {
      note: 'Précisez le nombre d’armuriers à former.',
    }).expect(200);
    await settle();

    const about = async (actor: Actor, ids: string[]) =>
      (await inbox(actor))
        .filter((i) =>
          ['match.delivery_started', 'match.delivered', 'match.closed', 'need.returned'].includes(
            i.eventType,
          ),
        )
        .filter((i) => ids.includes(i.entityId))
        .map((i) => i.eventType)
        .sort();
    const ids = [matchA, draft.id];
    // The acting user is not told of their own action: the donor started and delivered.
    expect(await about(cast.sle, ids)).toEqual(
      ['match.closed', 'match.delivered', 'match.delivery_started', 'need.returned'].sort(),
    );
    expect(await about(cast.donor, ids)).toEqual(['match.closed']);
    expect(await about(cast.secretariat, ids)).toEqual(
      ['match.delivered', 'match.delivery_started'].sort(),
    );
    for (const outsider of [cast.per, cast.ngo]) expect(await about(outsider, ids)).toEqual([]);
    const returned = (await inbox(cast.sle)).find((i) => i.eventType === 'need.returned')!;
    expect(returned.title).toBe('Besoin renvoyé : Formation des armuriers');
    expect(returned.body).toContain('Précisez le nombre d’armuriers à former.');
    expect(mailsTo(cast.sle).map((m) => m.subject)).toEqual(
      expect.arrayContaining([
        'Mise en œuvre commencée : Marquage des armes',
        'Assistance fournie : Marquage des armes',
        'Correspondance close : Marquage des armes',
        'Besoin renvoyé : Formation des armuriers',
      ]),
    );
  });
});
