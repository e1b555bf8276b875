import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AppException } from '../../common/errors';
import type { LoginOutcome } from './login-attempt.entity';

/** Contract "Identity": 429 after 10 failures per account or 50 per address in 15 minutes. */
export const ACCOUNT_FAILURE_LIMIT = 10;
export const ADDRESS_FAILURE_LIMIT = 50;
export const FAILURE_WINDOW_MINUTES = 15;

/** Outcomes that count against the limits; `pending` ones are attempts still being checked. */
const COUNTED: LoginOutcome[] = ['pending', 'invalid_credentials', 'invalid_totp'];

export interface AttemptTicket {
  id: string;
  email: string;
  ip: string;
  /** Over a limit: the caller records the outcome `rate_limited` and answers 429. */
  limited: boolean;
}

export function rateLimited(): AppException {
  return new AppException('RATE_LIMITED', 'Too many failed sign-in attempts; try again later');
}

/**
 * Counts failed sign-ins in PostgreSQL, so the limits hold across API processes. An attempt is
 * recorded as `pending` before the password is checked and counted against the attempts
 * before it (by id), so a burst of parallel guesses cannot slip past the limit; the outcome is
 * written when known. A success resets the per-account count, not the per-address one.
 */
@Injectable()
export class LoginAttemptsService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Records the attempt as pending and tells whether it is over a limit. */
  async begin(email: string, ip: string | undefined): Promise<AttemptTicket> {
    const address = (ip || 'unknown').slice(0, 64);
    const [row] = (await this.db.query(
      `INSERT INTO login_attempt (email, ip, succeeded, outcome) VALUES ($1, $2, false, 'pending') RETURNING id`,
      [email, address],
    )) as { id: string }[];
    const id = String(row.id);
    const [counts] = (await this.db.query(
      `WITH window_start AS (SELECT now() - make_interval(mins => $5) AS t),
            last_success AS (
              SELECT coalesce(max(a.id), 0) AS id FROM login_attempt a, window_start w
               WHERE a.email = $1 AND a.at > w.t AND a.id < $3 AND a.succeeded)
       SELECT
         (SELECT count(*) FROM login_attempt a, window_start w, last_success s
           WHERE a.email = $1 AND a.at > w.t AND a.id < $3 AND a.id > s.id AND a.outcome = ANY($4)) AS account,
         (SELECT count(*) FROM login_attempt a, window_start w
           WHERE a.ip = $2 AND a.at > w.t AND a.id < $3 AND a.outcome = ANY($4)) AS address`,
      [email, address, id, COUNTED, FAILURE_WINDOW_MINUTES],
    )) as { account: string; address: string }[];
    const limited =
      Number(counts.account) >= ACCOUNT_FAILURE_LIMIT ||
      Number(counts.address) >= ADDRESS_FAILURE_LIMIT;
    return { id, email, ip: address, limited };
  }

  /** Writes the outcome, inside the caller's transaction when given its manager. */
  async finish(
    manager: EntityManager,
    ticket: AttemptTicket,
    outcome: Exclude<LoginOutcome, 'pending'>,
  ): Promise<void> {
    await manager.query(`UPDATE login_attempt SET outcome = $2, succeeded = $3 WHERE id = $1`, [
      ticket.id,
      outcome,
      outcome === 'succeeded',
    ]);
  }
}
