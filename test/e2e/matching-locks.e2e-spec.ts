import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { MatchingService } from '../../src/modules/matching/matching.service';
import { seedWorld } from '../bench/world';
import { bootTestApi, TestApi } from '../utils/test-app';
import { waitUntilBlocking } from '../utils/wait';

/**
 * Lock order between a matching job and a commitment. A commitment locks its need, then its
 * offer, then the match row (match-review.service.ts). A matching job that locked match rows
 * first and took the need or the offer only later (a foreign-key check on insert, the update
 * of `matched_version`) deadlocked with it: PostgreSQL then aborted one of the two. Here the
 * commitment's locks are taken by hand, around a real matching job, at the worst moment.
 */
describe('matching jobs and commitments lock in one order', () => {
  let api: TestApi;
  let db: DataSource;
  let matching: MatchingService;
  let commitment: Client;

  beforeAll(async () => {
    api = await bootTestApi({ env: { MATCH_MIN_SCORE: '0.3', MATCH_TOP_K: '3' } });
    db = api.app.get(DataSource);
    matching = api.app.get(MatchingService);
    await seedWorld(db, { needs: 60, offers: 30, seed: 11, donors: 6 });
    for (const { id } of await db.query(
      `SELECT id FROM need WHERE status IN ('published', 'partially_covered') ORDER BY id`,
    ))
      await matching.match('need', id);
    for (const { id } of await db.query(`SELECT id FROM offer WHERE status = 'active' ORDER BY id`))
      await matching.match('offer', id);
  }, 120_000);
  beforeEach(async () => {
    commitment = new Client({ connectionString: api.databaseUrl });
    await commitment.connect();
    await commitment.query(`SET lock_timeout = '8s'`);
  });
  afterEach(async () => {
    await commitment.end();
  });
  afterAll(async () => {
    await api.close();
  });

  /** Resolves once a backend is waiting for a lock the commitment's session holds. */
  const blockedByCommitment = async () => {
    const [{ pid }] = (await commitment.query(`SELECT pg_backend_pid() AS pid`)).rows;
    await waitUntilBlocking(db, pid, 'the matching job to wait for the commitment');
  };

  it("a need's job waits for the need before it locks any of the need's match rows", async () => {
    // A need with two stored pairs; one of its top pairs is deleted so the job inserts it again.
    const [pair] = await db.query(
      `SELECT need_id, (array_agg(id ORDER BY id))[1] AS keep, (array_agg(id ORDER BY id))[2] AS gone
         FROM match_suggestion WHERE in_need_top GROUP BY need_id HAVING count(*) >= 2
        ORDER BY need_id LIMIT 1`,
    );
    expect(pair).toBeDefined();
    await db.query(`DELETE FROM match_suggestion WHERE id = $1`, [pair.gone]);
    await db.query(`UPDATE need SET matched_version = NULL WHERE id = $1`, [pair.need_id]);

    await commitment.query('BEGIN');
    await commitment.query(`SELECT FROM need WHERE id = $1 FOR UPDATE`, [pair.need_id]);
    const job = matching.match('need', pair.need_id).then(
      (r) => r,
      (e: Error) => e,
    );
    await blockedByCommitment();
    // The commitment goes on to the match row: the job must not be holding it.
    await commitment.query(`SELECT FROM match_suggestion WHERE id = $1 FOR UPDATE`, [pair.keep]);
    await commitment.query('COMMIT');
    const result = await job;
    expect(result).not.toBeInstanceOf(Error);
    const stored = await db.query(
      `SELECT count(*)::int AS n FROM match_suggestion WHERE need_id = $1 AND in_need_top`,
      [pair.need_id],
    );
    expect(stored[0].n).toBeGreaterThanOrEqual(2);
  });

  it("an offer's job waits for the needs it will pair before it locks the offer's match rows", async () => {
    // An offer with two stored top pairs; one is deleted so the job inserts it again.
    const [pair] = await db.query(
      `SELECT offer_id, (array_agg(id ORDER BY id))[1] AS keep,
              (array_agg(need_id ORDER BY id))[2] AS need_id, (array_agg(id ORDER BY id))[2] AS gone
         FROM match_suggestion WHERE in_offer_top GROUP BY offer_id HAVING count(*) >= 2
        ORDER BY offer_id LIMIT 1`,
    );
    expect(pair).toBeDefined();
    await db.query(`DELETE FROM match_suggestion WHERE id = $1`, [pair.gone]);

    // The commitment of a match of that need and that offer: need, offer, then match rows.
    await commitment.query('BEGIN');
    await commitment.query(`SELECT FROM need WHERE id = $1 FOR UPDATE`, [pair.need_id]);
    const job = matching.match('offer', pair.offer_id).then(
      (r) => r,
      (e: Error) => e,
    );
    await blockedByCommitment();
    await commitment.query(`SELECT FROM offer WHERE id = $1 FOR UPDATE`, [pair.offer_id]);
    await commitment.query(`SELECT FROM match_suggestion WHERE id = $1 FOR UPDATE`, [pair.keep]);
    await commitment.query('COMMIT');
    const result = await job;
    expect(result).not.toBeInstanceOf(Error);
    const [row] = await db.query(
      `SELECT in_offer_top FROM match_suggestion WHERE need_id = $1 AND offer_id = $2`,
      [pair.need_id, pair.offer_id],
    );
    expect(row?.in_offer_top).toBe(true);
  });
});
