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
