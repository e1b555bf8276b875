import { MigrationInterface, QueryRunner } from 'typeorm';

/** Allocation proposals: one row per run, its parameters, progress, figures and assignments. */
export class Allocation1764301200000 implements MigrationInterface {
  name = 'Allocation1764301200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE allocation_run (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        status varchar(12) NOT NULL DEFAULT 'queued'
          CHECK (status IN ('queued','running','succeeded','failed')),
        progress smallint NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
        integer_version boolean NOT NULL,
        params jsonb NOT NULL,
        requested_by uuid,
        objective double precision,
        lp_objective double precision,
        gap double precision,
        greedy_objective double precision,
        lp_over_greedy double precision,
        solve_seconds double precision,
        stats jsonb,
        assignments jsonb,
        need_snapshot jsonb,
        error jsonb,
        created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp()),
        started_at timestamptz,
        finished_at timestamptz
      )`);
    await q.query(
      `CREATE INDEX allocation_run_created_idx ON allocation_run (created_at DESC, id DESC)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE allocation_run`);
  }
}
