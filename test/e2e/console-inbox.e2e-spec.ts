import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { DataSource } from 'typeorm';
import { NOTIFICATION_TYPE_NAMES } from '../../src/modules/notifications/notification-types';
import { createParty, createUser } from '../factories/identity.factory';
import { bootTestApi, TestApi } from '../utils/test-app';

const HTML = { Accept: 'text/html' };
const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)![1];

/** A browser-like client: its own cookie jar, signed in through the console's sign-in form. */
async function signIn(api: TestApi, email: string, password: string): Promise<TestAgent> {
  const agent = request.agent(api.app.getHttpServer());
  const page = await agent.get('/app/login').set(HTML).expect(200);
  await agent
    .post('/app/login')
    .set(HTML)
    .type('form')
    .send({ _csrf: csrfOf(page.text), email, password })
    .expect(303);
  return agent;
}

/** Posts a form of `page` (the CSRF token is the page's, as a browser would send it). */
async function submit(agent: TestAgent, page: string, action: string, fields: object = {}) {
  const form = await agent.get(page).set(HTML).expect(200);
  return agent
    .post(action)
    .set(HTML)
    .type('form')
    .send({ _csrf: csrfOf(form.text), ...fields });
}

describe('console: notification inbox and preferences', () => {
  let api: TestApi;
  let db: DataSource;
  let alice: { id: string; email: string; password: string };
  let bob: { id: string; email: string; password: string };
  let agent: TestAgent;
  const matchId = randomUUID();

  /** One in-app notification, as the notifications module stores it. */
  async function notify(
    userId: string,
    title: string,
    opts: { read?: boolean; minutesAgo?: number; link?: string | null } = {},
  ): Promise<string> {
    const [event] = (await db.query(
      `INSERT INTO notification_event (dedupe_key, type, entity_type, entity_id)
       VALUES ($1, 'match.proposed', 'match', $2) RETURNING id`,
      [randomUUID(), matchId],
    )) as { id: string }[];
    const [row] = (await db.query(
      `INSERT INTO notification_delivery
         (event_id, channel, user_id, status, sent_at, title, body, link, read_at, created_at)
       VALUES ($1, 'in_app', $2, 'sent', now(), $3, $4, $5,
               CASE WHEN $6 THEN now() END, now() - make_interval(mins => $7))
       RETURNING id`,
      [
        event.id,
        userId,
        title,
        `Body of ${title}`,
        opts.link === undefined ? `/api/v1/matches/${matchId}` : opts.link,
        !!opts.read,
        opts.minutesAgo ?? 0,
      ],
    )) as { id: string }[];
    return row.id;
  }
  const unread = async (userId: string) =>
    (
      (await db.query(
        `SELECT count(*)::int AS n FROM notification_delivery
          WHERE user_id = $1 AND channel = 'in_app' AND read_at IS NULL`,
        [userId],
      )) as { n: number }[]
    )[0].n;

  beforeAll(async () => {
    api = await bootTestApi({ env: { WRITE_RATE_LIMIT_PER_MIN: '100000' } });
    db = api.app.get(DataSource);
    const sle = await createParty(api, { type: 'state', name: 'Sierra Leone', countryCode: 'SLE' });
    const fund = await createParty(api, { type: 'trust_fund', name: 'UNSCAR' });
    const a = await createUser(api, { partyId: sle.id, roles: ['national_contact'] });
    const b = await createUser(api, { partyId: fund.id, roles: ['donor_focal_point'] });
    alice = { id: a.user.id, email: a.user.email, password: a.password };
    bob = { id: b.user.id, email: b.user.email, password: b.password };
    agent = await signIn(api, alice.email, alice.password);
  });
  afterAll(() => api?.close());

  it('sends an anonymous browser to sign-in and back', async () => {
    const res = await api.http.get('/app/notifications').set(HTML).expect(303);
    expect(res.headers.location).toBe('/app/login?next=%2Fapp%2Fnotifications');
  });

  let aliceOld: string;
  let aliceNew: string;
  let bobs: string;
  it("lists only the user's own notifications, unread first, with links to the console page", async () => {
    await notify(alice.id, 'Alice read one', { read: true, minutesAgo: 1 });
    aliceOld = await notify(alice.id, 'Alice older unread', { minutesAgo: 30 });
    aliceNew = await notify(alice.id, 'Alice newer unread', { minutesAgo: 5, link: null });
    bobs = await notify(bob.id, 'Bob private');

    const res = await agent.get('/app/notifications').set(HTML).expect(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.text).not.toContain('Bob private');
    const order = ['Alice newer unread', 'Alice older unread', 'Alice read one'].map((t) =>
      res.text.indexOf(t),
    );
    expect(order.every((i) => i > 0)).toBe(true);
    expect([...order].sort((x, y) => x - y)).toEqual(order);
    // The API link becomes the console's page; with no link, the entity still gives one.
    expect(res.text.match(new RegExp(`href="/app/matches/${matchId}"`, 'g'))).toHaveLength(3);
    // The unread-count badge in the navigation, and a mark-read form only on unread rows.
    expect(res.text).toMatch(/data-testid="unread-badge">2<span class="visually-hidden"> 2 unread/);
    expect(res.text.match(/action="\/app\/notifications\/[0-9a-f-]+\/read"/g)).toHaveLength(2);
    expect(res.text).toContain('action="/app/notifications/read-all"');
    expect(Buffer.byteLength(res.text)).toBeLessThan(100_000);

    const onlyUnread = await agent.get('/app/notifications?unread=1').set(HTML).expect(200);
    expect(onlyUnread.text).not.toContain('Alice read one');
    expect(onlyUnread.text).toContain('Alice older unread');
  });

  it('refuses a post without its CSRF token (403) and changes nothing', async () => {
    await agent.post('/app/notifications/read-all').set(HTML).type('form').send({}).expect(403);
    await agent
      .post(`/app/notifications/${aliceNew}/read`)
      .set(HTML)
      .type('form')
      .send({ _csrf: 'forged' })
      .expect(403);
    expect(await unread(alice.id)).toBe(2);
  });

  it("cannot mark another user's notification read (404), marks its own", async () => {
    const other = await submit(agent, '/app/notifications', `/app/notifications/${bobs}/read`);
    expect(other.status).toBe(404);
    expect(other.text).toContain('Page not found');
    expect(await unread(bob.id)).toBe(1);

    const own = await submit(agent, '/app/notifications', `/app/notifications/${aliceNew}/read`, {
      back: '/app/notifications?unread=1',
    });
    expect(own.status).toBe(303);
    expect(own.headers.location).toBe('/app/notifications?unread=1&done=markedRead');
    expect(await unread(alice.id)).toBe(1);
    const page = await agent
      .get(own.headers.location as string)
      .set(HTML)
      .expect(200);
    expect(page.text).toContain('Marked as read.');
    expect(page.text).not.toContain('Alice newer unread');
    expect(page.text).toMatch(/data-testid="unread-badge">1</);
    const audit = (await db.query(
      `SELECT actor_user_id FROM audit_entry WHERE action = 'notification.read' AND entity_id = $1`,
      [aliceNew],
    )) as { actor_user_id: string }[];
    expect(audit).toEqual([{ actor_user_id: alice.id }]);
  });

  it('marks all read (only its own)', async () => {
    const res = await submit(agent, '/app/notifications', '/app/notifications/read-all');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/app/notifications?done=allRead');
    expect(await unread(alice.id)).toBe(0);
    expect(await unread(bob.id)).toBe(1);
    const page = await agent.get('/app/notifications').set(HTML).expect(200);
    expect(page.text).not.toContain('data-testid="unread-badge"');
    expect(page.text).not.toContain('action="/app/notifications/read-all"');
    expect(aliceOld).toBeDefined();
  });

  it('pages through a long inbox', async () => {
    for (let i = 0; i < 27; i++) await notify(bob.id, `Bulk ${i}`, { minutesAgo: 100 + i });
    const bobAgent = await signIn(api, bob.email, bob.password);
    const first = await bobAgent.get('/app/notifications').set(HTML).expect(200);
    expect(first.text.match(/data-testid="notification"/g)).toHaveLength(25);
    const next = /href="(\/app\/notifications\?cursor=[^"]+)"/.exec(first.text)![1];
    const second = await bobAgent.get(next.replace(/&amp;/g, '&')).set(HTML).expect(200);
    expect(second.text.match(/data-testid="notification"/g)).toHaveLength(3);
    expect(second.text).toContain('Bulk 26');
    expect(second.text).toContain('First page');
  });

  describe('preferences', () => {
    const stored = async () =>
      (await db.query(
        `SELECT event_type, in_app, email, email_mode FROM notification_preference
          WHERE user_id = $1 ORDER BY event_type`,
        [alice.id],
      )) as { event_type: string; in_app: boolean; email: boolean; email_mode: string }[];

    /** The whole form as a browser sends it: every type, ticked boxes only. */
    const formFor = (overrides: Record<string, string | undefined> = {}) => {
      const fields: Record<string, string | string[]> = { eventType: NOTIFICATION_TYPE_NAMES };
      for (const type of NOTIFICATION_TYPE_NAMES) {
        fields[`inApp.${type}`] = 'true';
        fields[`email.${type}`] = 'true';
        fields[`emailMode.${type}`] = type === 'match.suggested' ? 'digest' : 'immediate';
      }
      for (const [k, v] of Object.entries(overrides)) {
        if (v === undefined) delete fields[k];
        else fields[k] = v;
      }
      return fields;
    };

    it('shows every event type with its channels, as the API has them', async () => {
      const res = await agent.get('/app/notifications/preferences').set(HTML).expect(200);
      expect(res.headers['cache-control']).toBe('no-store');
      for (const type of NOTIFICATION_TYPE_NAMES) {
        expect(res.text).toContain(`name="inApp.${type}" value="true" checked`);
      }
      expect(res.text.match(/<label for="f-/g)!.length).toBe(3 * NOTIFICATION_TYPE_NAMES.length);
      expect(res.text).toContain('New suggested match');
      expect(await stored()).toEqual([]);
    });

    it('saves the choices through the API service, with a confirmation', async () => {
      const res = await submit(
        agent,
        '/app/notifications/preferences',
        '/app/notifications/preferences',
        formFor({
          'email.match.proposed': undefined,
          'inApp.need.expired': undefined,
          'emailMode.match.suggested': 'immediate',
        }),
      );
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/app/notifications/preferences?done=saved');
      const rows = await stored();
      expect(rows).toHaveLength(NOTIFICATION_TYPE_NAMES.length);
      expect(rows.find((r) => r.event_type === 'match.proposed')).toMatchObject({
        in_app: true,
        email: false,
      });
      expect(rows.find((r) => r.event_type === 'need.expired')).toMatchObject({ in_app: false });
      expect(rows.find((r) => r.event_type === 'match.suggested')).toMatchObject({
        email_mode: 'immediate',
      });
      const page = await agent
        .get(res.headers.location as string)
        .set(HTML)
        .expect(200);
      expect(page.text).toContain('Your notification settings are saved.');
      expect(page.text).toMatch(/name="email\.match\.proposed" value="true">/);
      const [audit] = (await db.query(
        `SELECT count(*)::int AS n FROM audit_entry
          WHERE action = 'notification_preferences.update' AND actor_user_id = $1`,
        [alice.id],
      )) as { n: number }[];
      expect(audit.n).toBe(1);
    });

    it('shows invalid input next to its field and saves nothing', async () => {
      const before = await stored();
      const res = await submit(
        agent,
        '/app/notifications/preferences',
        '/app/notifications/preferences',
        formFor({ 'emailMode.match.declined': 'weekly', 'email.match.proposed': undefined }),
      );
      expect(res.status).toBe(400);
      expect(res.text).toMatch(
        /id="f-emailMode-match-declined" name="emailMode\.match\.declined" aria-describedby="f-emailMode-match-declined-error" aria-invalid="true"/,
      );
      expect(res.text).toMatch(/id="f-emailMode-match-declined-error">.*emailMode must be one of/);
      expect(res.text).toContain('href="#f-emailMode-match-declined"');
      // The rest of the input is kept as typed.
      expect(res.text).toMatch(/name="email\.match\.proposed" value="true">/);
      expect(await stored()).toEqual(before);
    });
  });
});
