import { createRedis, unlinkKeysStartingWith } from '../../src/queue/redis';

/**
 * Removes every Redis key under a benchmark's queue prefix (`<prefix>:…`): its queues' jobs
 * (BullMQ keeps up to 10,000 completed jobs a day) and what a full re-match left there. The
 * benchmarks drop their databases at the end; without this their Redis keys stayed behind,
 * run after run (140,000 keys, 141 MB, after a day of runs on this machine). Call it once the
 * processes using the prefix are closed.
 */
export async function dropQueueKeys(redisUrl: string, prefix: string): Promise<number> {
  const redis = createRedis(redisUrl, 'probe');
  try {
    return await unlinkKeysStartingWith(redis, `${prefix}:`);
  } finally {
    redis.disconnect();
  }
}
