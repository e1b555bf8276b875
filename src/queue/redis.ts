import IORedis, { RedisOptions } from 'ioredis';

/**
 * Redis connections. Producers and health checks fail fast while Redis is down (the API
 * must keep serving); workers wait for Redis indefinitely, as BullMQ requires.
 */
export function createRedis(url: string, role: 'producer' | 'worker' | 'probe'): IORedis {
  const options: RedisOptions = {
    lazyConnect: false,
    // Commands wait for the first connection; while Redis is down, a producer's or probe's
    // command fails after one reconnection attempt instead of hanging.
    maxRetriesPerRequest: role === 'worker' ? null : 1,
    enableOfflineQueue: true,
    connectTimeout: 3000,
    retryStrategy: (times) => Math.min(times * 200, 2000),
  };
  const client = new IORedis(url, options);
  // Connection errors surface through readiness and job failures; avoid unhandled 'error' events.
  client.on('error', () => undefined);
  return client;
}

/**
 * Unlinks every key that starts with `prefix` (glob characters in it are matched literally),
 * scanning the keyspace in steps; returns how many were removed.
 */
export async function unlinkKeysStartingWith(redis: IORedis, prefix: string): Promise<number> {
  const match = `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`;
  let removed = 0;
  const stream = redis.scanStream({ match, count: 1000 });
  for await (const keys of stream as AsyncIterable<string[]>)
    if (keys.length) removed += await redis.unlink(...keys);
  return removed;
}
