import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export const LOGIN_OUTCOMES = [
  'pending',
  'succeeded',
  'invalid_credentials',
  'invalid_totp',
  'totp_required',
  'rate_limited',
] as const;
export type LoginOutcome = (typeof LOGIN_OUTCOMES)[number];

/**
 * Every sign-in attempt (and every password re-check), kept in PostgreSQL so the failure
 * limits hold across API processes. `pending` rows are in progress and count as failures.
 */
@Entity({ name: 'login_attempt' })
export class LoginAttempt {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id: string;

  /** Lower-cased, as typed (whether or not an account has it). */
  @Column({ type: 'varchar', length: 320 })
  email: string;

  @Column({ type: 'varchar', length: 64 })
  ip: string;

  @Column({ type: 'boolean', default: false })
  succeeded: boolean;

  @Column({ type: 'varchar', length: 20 })
  outcome: LoginOutcome;

  @Column({ type: 'timestamptz', default: () => 'clock_timestamp()' })
  at: Date;
}
