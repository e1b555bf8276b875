import { DataSource } from 'typeorm';
import type { TestApi } from '../utils/test-app';

/**
 * A match row straight into the table (no engine run), for tests of the review workflow that
 * do not need the queue; the status and version say how far people took it.
 */
export async function insertMatch(
  api: TestApi,
  input: { needId: string; offerId: string; status?: string; version?: number },
): Promise<{ id: string; version: number }> {
  const db = api.app.get(DataSource);
  const [row] = await db.query(
    `INSERT INTO match_suggestion (need_id, offer_id, need_party_id, offer_party_id, score, components,
            rules_passed, explanation, status, version, need_version, offer_version, in_need_top,
            state_interest_at, donor_interest_at)
     SELECT n.id, o.id, n.party_id, o.party_id, 0.8, '{8000,10000,10000,10000,10000,6000,0,5000}', 127, 'Inserted by a test',
            $3::varchar, $4::int, n.version, o.version, true,
            CASE WHEN $3::varchar = 'agreed' THEN now() END, CASE WHEN $3::varchar = 'agreed' THEN now() END
       FROM need n, offer o WHERE n.id = $1 AND o.id = $2
     RETURNING id, version`,
    [input.needId, input.offerId, input.status ?? 'suggested', input.version ?? 1],
  );
  if (!row) throw new Error('insertMatch: need or offer not found');
  return { id: row.id, version: row.version };
}

/** Fires a match transition with the given version as If-Match (none when undefined). */
export function fireMatch(
  api: TestApi,
  token: string,
  id: string,
  transition: string,
  version: number | string | undefined,
  body?: object,
) {
  const req = api.http
    .post(`/api/v1/matches/${id}/${transition}`)
    .set('Authorization', `Bearer ${token}`);
  if (version !== undefined) req.set('If-Match', `"${version}"`);
  return body ? req.send(body) : req.send();
}

/** A valid `/commit` body. */
export function commitBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    amount: 50000,
    currency: 'USD',
    implementer: 'UNDP country office',
    startDate: '2026-02-01',
    endDate: '2026-12-31',
    ...overrides,
  };
}
