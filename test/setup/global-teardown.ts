import { withAdminClient } from '../utils/database';

/** Drops the template and any suite database this run left behind (a crashed suite). */
export default async function globalTeardown(): Promise<void> {
  const runId = process.env.SALW_TEST_RUN_ID;
  if (!runId) return;
  await withAdminClient(async (c) => {
    const { rows } = await c.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname LIKE $1 OR datname LIKE $2`,
      [`salw_t_${runId}_%`, `salw_tmpl_${runId}_%`],
    );
    for (const { datname } of rows)
      await c.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  });
}
