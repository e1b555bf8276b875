import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type IORedis from 'ioredis';
import { AppConfig } from '../../config/app-config';
import { createRedis, unlinkKeysStartingWith } from '../../queue/redis';
import type { RankedNeed } from './engine/candidates';

const TTL_S = 2 * 24 * 3600;
/** Each hex digit (lower case, as PostgreSQL writes uuids) and its complement to f. */
const COMPLEMENT: Record<string, string> = Object.fromEntries(
  [...'0123456789abcdef'].map((c, i) => [c, (15 - i).toString(16)]),
);

/**
 * KEYS: the run's floors hash, then the offers' top sets; ARGV: K, the time to live, then per
 * top set the number of entries and the entries (score, member). ZADD, trim to the best K,
 * EXPIRE — per set, as a pipeline of the three commands did. Returns per set its K-th score
 * once it holds K entries (the offer's floor over every chunk so far), else an empty string,
 * and records that floor in the hash under the set's key, where a chunk starting later reads
 * every offer's floor with one HGETALL.
 */
const ADD_TOPS = `
local k = tonumber(ARGV[1])
local ttl = tonumber(ARGV[2])
local pos = 3
local floors = {}
for i = 2, #KEYS do
  local n = tonumber(ARGV[pos])
  local entries = {}
  for j = 1, 2 * n do entries[j] = ARGV[pos + j] end
  pos = pos + 1 + 2 * n
  floors[i - 1] = ''
  if n > 0 then
    redis.call('ZADD', KEYS[i], unpack(entries))
    redis.call('ZREMRANGEBYRANK', KEYS[i], 0, -(k + 1))
    redis.call('EXPIRE', KEYS[i], ttl)
    if redis.call('ZCARD', KEYS[i]) >= k then
      local floor = redis.call('ZRANGE', KEYS[i], 0, 0, 'WITHSCORES')[2]
      floors[i - 1] = floor
      redis.call('HSET', KEYS[1], KEYS[i], floor)
    end
  end
end
redis.call('EXPIRE', KEYS[1], ttl)
return floors
`;

type AddTops = { rematchAddTops(...args: (string | number)[]): Promise<string[]> };

/**
 * Shared state of a chunked full re-match, in Redis next to its jobs:
 *  - per offer, a sorted set holding the best K needs any chunk found so far (ZADD then trim
 *    to K: idempotent, so a chunk retried after a crash adds nothing twice);
 *  - per chunk, how far it got (the last need id whose suggestions are stored) and, once
 *    done, how many needs it matched — for resuming a chunk mid-way and for progress.
 * Members are need ids with every hex digit complemented: Redis orders equal scores by
 * member, so the trim drops the larger need id of a tie, as the ranking does.
 */
@Injectable()
export class RematchStore implements OnApplicationShutdown {
  constructor(private readonly config: AppConfig) {}

  private connection?: IORedis;

  /** A connection of its own, opened on first use (BullMQ's client wraps commands its way). */
  private async redis(): Promise<IORedis> {
    if (!this.connection) {
      this.connection = createRedis(this.config.env.REDIS_URL, 'producer');
      this.connection.defineCommand('rematchAddTops', { lua: ADD_TOPS });
    }
    return this.connection;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.connection?.quit().catch(() => undefined);
  }

  private key(runId: string, part: string) {
    return `${this.config.env.QUEUE_PREFIX}:matching-run:${runId}:${part}`;
  }

  static encode(needId: string): string {
    let out = '';
    for (let i = 0; i < needId.length; i++) {
      const c = needId[i];
      out += COMPLEMENT[c] ?? c;
    }
    return out;
  }

  static decode(member: string): string {
    return RematchStore.encode(member);
  }

  /**
   * Each offer's K-th score so far, for the offers that already have K: one HGETALL of the
   * hash the tops' script keeps (two commands per offer, for 8,000 offers at every chunk's
   * start, cost the worker more than its Redis writes).
   */
  async floors(runId: string): Promise<Map<string, number>> {
    const all = await (await this.redis()).hgetall(this.key(runId, 'floors'));
    const prefix = this.key(runId, 'top:');
    const out = new Map<string, number>();
    for (const [key, floor] of Object.entries(all))
      out.set(key.slice(prefix.length), Number(floor));
    return out;
  }

  /**
   * Floors known before any chunk ran (`MatchingService.seedRunFloors`), under the fields the
   * tops' script uses. The script overwrites a field with the K-th score of the offer's set,
   * which is never lower: every entry of the set is at least the floor it was found with.
   */
  async seedFloors(runId: string, floors: Map<string, number>): Promise<void> {
    if (!floors.size) return;
    const fields: Record<string, string> = {};
    for (const [offerId, floor] of floors)
      fields[this.key(runId, `top:${offerId}`)] = String(floor);
    const key = this.key(runId, 'floors');
    await (await this.redis()).multi().hset(key, fields).expire(key, TTL_S).exec();
  }

  /**
   * Adds entries to offers' tops and trims each to K, in one script call per 1,000 offers
   * (three commands per offer in a pipeline cost the worker more than the scoring of them).
   * Returns the K-th score of each of these offers that now has K entries: its floor over
   * every chunk's findings so far.
   */
  async addTops(
    runId: string,
    tops: [string, RankedNeed[]][],
    k: number,
  ): Promise<Map<string, number>> {
    const floors = new Map<string, number>();
    if (!tops.length) return floors;
    const redis = await this.redis();
    for (let i = 0; i < tops.length; i += 1000) {
      const part = tops.slice(i, i + 1000);
      const args: (string | number)[] = [part.length + 1, this.key(runId, 'floors')];
      for (const [offerId] of part) args.push(this.key(runId, `top:${offerId}`));
      args.push(k, TTL_S);
      for (const [, entries] of part) {
        args.push(entries.length);
        for (const e of entries) args.push(e.score, RematchStore.encode(e.id));
      }
      const kth = await (redis as IORedis & AddTops).rematchAddTops(...args);
      part.forEach(([offerId], j) => {
        if (kth[j]) floors.set(offerId, Number(kth[j]));
      });
    }
    return floors;
  }

  /** The best K needs of each offer, best first. */
  async tops(runId: string, offerIds: string[]): Promise<Map<string, RankedNeed[]>> {
    const redis = await this.redis();
    const pipe = redis.pipeline();
    for (const id of offerIds) pipe.zrange(this.key(runId, `top:${id}`), 0, -1, 'WITHSCORES');
    const res = (await pipe.exec()) ?? [];
    const out = new Map<string, RankedNeed[]>();
    offerIds.forEach((id, j) => {
      const flat = (res[j]?.[1] as string[]) ?? [];
      const entries: RankedNeed[] = [];
      for (let i = flat.length - 2; i >= 0; i -= 2)
        entries.push({ id: RematchStore.decode(flat[i]), score: Number(flat[i + 1]) });
      out.set(id, entries);
    });
    return out;
  }

  async cursor(runId: string, chunk: number): Promise<string | null> {
    return (await this.redis()).hget(this.key(runId, 'cursor'), String(chunk));
  }

  async setCursor(runId: string, chunk: number, lastNeedId: string): Promise<void> {
    const redis = await this.redis();
    await redis
      .multi()
      .hset(this.key(runId, 'cursor'), String(chunk), lastNeedId)
      .expire(this.key(runId, 'cursor'), TTL_S)
      .exec();
  }

  /** Marks a chunk done (once, however often it is retried); returns chunks and needs done. */
  async chunkDone(
    runId: string,
    chunk: number,
    needs: number,
  ): Promise<{ chunks: number; needs: number }> {
    const redis = await this.redis();
    const key = this.key(runId, 'done');
    await redis.multi().hsetnx(key, String(chunk), String(needs)).expire(key, TTL_S).exec();
    return this.doneSoFar(runId);
  }

  async doneSoFar(runId: string): Promise<{ chunks: number; needs: number }> {
    const all = await (await this.redis()).hgetall(this.key(runId, 'done'));
    const values = Object.values(all).map(Number);
    return { chunks: values.length, needs: values.reduce((s, n) => s + n, 0) };
  }

  /**
   * Runs `fn` holding a lock of the run (SET NX with a 5 s expiry, released only by its
   * holder); waits up to 10 s for it, then fails (the job is retried).
   */
  async withLock<T>(runId: string, name: string, fn: () => Promise<T>): Promise<T> {
    const redis = await this.redis();
    const key = this.key(runId, `lock:${name}`);
    const token = randomUUID();
    const deadline = Date.now() + 10_000;
    while ((await redis.set(key, token, 'PX', 5000, 'NX')) !== 'OK') {
      if (Date.now() > deadline) throw new Error(`lock ${name} of run ${runId} not acquired`);
      await new Promise((r) => setTimeout(r, 10));
    }
    try {
      return await fn();
    } finally {
      await redis.eval(
        `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`,
        1,
        key,
        token,
      );
    }
  }

  /** Marks a part of the offers' side done (once, however often it is retried). */
  async offersDone(runId: string, part: number, offers: number): Promise<number> {
    const redis = await this.redis();
    const key = this.key(runId, 'offers-done');
    await redis.multi().hsetnx(key, String(part), String(offers)).expire(key, TTL_S).exec();
    const all = await redis.hgetall(key);
    return Object.values(all).reduce((s, n) => s + Number(n), 0);
  }

  /** Everything the run kept in Redis: cursors, counts, floors and every offer's top. */
  async dropRun(runId: string): Promise<void> {
    const redis = await this.redis();
    await redis.del(
      this.key(runId, 'cursor'),
      this.key(runId, 'done'),
      this.key(runId, 'offers-done'),
      this.key(runId, 'floors'),
    );
    await unlinkKeysStartingWith(redis, this.key(runId, 'top:'));
  }
}
