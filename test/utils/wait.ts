import type { DataSource } from 'typeorm';

/**
 * Polls `probe` until `ok` holds for its value (returned), or fails after `timeoutMs` naming
 * `what` and the last value seen.
 */
export async function waitFor<T>(
  probe: () => Promise<T> | T,
  ok: (value: T) => boolean,
  timeoutMs = 15000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (ok(value)) return value;
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Resolves once some PostgreSQL backend waits for a lock that backend `pid` holds (a test
 * holding a lock knows then that the work it holds up got that far).
 */
export async function waitUntilBlocking(
  db: DataSource,
  pid: number,
  what: string,
  timeoutMs = 10000,
): Promise<void> {
  await waitFor(
    async () =>
      (
        await db.query(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))`,
          [pid],
        )
      )[0].n as number,
    (n) => n > 0,
    timeoutMs,
    what,
  );
}
