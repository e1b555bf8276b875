import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { CountryInfo, OfferIndex } from './engine/candidates';
import { prepareOffer } from './engine/prepared';
import { loadOffers } from './facts';

/** What the sync compares: a change in any of these reloads the offer. */
interface Stamp {
  id: string;
  version: number;
  remaining: string;
  status: string;
}

/** An index with every country's regions and group, and no offers yet. */
export async function emptyOfferIndex(m: EntityManager): Promise<OfferIndex> {
  const countries: {
    alpha3: string;
    region_code: string;
    sub_region_code: string;
    intermediate_region_code: string | null;
    regional_group: string | null;
  }[] = await m.query(
    `SELECT alpha3, region_code, sub_region_code, intermediate_region_code, regional_group FROM country`,
  );
  return new OfferIndex(
    countries.map((c): CountryInfo => ({
      alpha3: c.alpha3,
      regions: [c.region_code, c.sub_region_code, c.intermediate_region_code].filter(
        (r): r is string => Boolean(r),
      ),
      group: c.regional_group,
    })),
  );
}

/**
 * The worker's in-memory index of the offers that can match (one per process, shared by its
 * jobs). Built on first use, then brought up to date before every use by comparing each
 * offer's version, status and remaining envelope with the database (one light query) and
 * reloading only what changed; offer change events mark offers for reloading too. So a
 * match never works on stale offers, whatever the order in which events arrive.
 */
@Injectable()
export class OfferIndexService {
  private index?: OfferIndex;
  private readonly stamps = new Map<string, string>();
  private readonly dirty = new Set<string>();
  private users = 0;
  private syncing?: Promise<void>;

  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** An offer changed (event): reload it at the next use. */
  invalidate(offerId: string): void {
    this.dirty.add(offerId);
  }

  /** Drops the index; the next use rebuilds it from the database. */
  reset(): void {
    this.index = undefined;
    this.stamps.clear();
    this.dirty.clear();
  }

  /** The index, up to date with what `m` sees. */
  async current(m: EntityManager = this.db.manager): Promise<OfferIndex> {
    // Syncs of concurrent jobs in this process run one at a time.
    while (this.syncing) await this.syncing;
    const run = this.sync(m);
    this.syncing = run;
    try {
      await run;
    } finally {
      this.syncing = undefined;
    }
    return this.index!;
  }

  /** Holds the slots stable (no compaction) while a chunk keeps per-slot state. */
  async use<T>(fn: (index: OfferIndex) => Promise<T>, m?: EntityManager): Promise<T> {
    const index = await this.current(m);
    this.users++;
    try {
      return await fn(index);
    } finally {
      this.users--;
    }
  }

  private async sync(m: EntityManager): Promise<void> {
    if (!this.index) {
      this.index = await emptyOfferIndex(m);
      this.stamps.clear();
    }
    const index = this.index;
    const rows: Stamp[] = await m.query(
      `SELECT id, version, remaining_usd::text AS remaining, status FROM offer
        WHERE status = 'active' AND remaining_usd > 0`,
    );
    const seen = new Set<string>();
    const reload: string[] = [];
    for (const r of rows) {
      seen.add(r.id);
      const stamp = `${r.version}:${r.remaining}:${r.status}`;
      if (this.stamps.get(r.id) !== stamp || this.dirty.has(r.id)) {
        reload.push(r.id);
        this.stamps.set(r.id, stamp);
      }
    }
    for (const id of [...this.stamps.keys()]) {
      if (!seen.has(id)) {
        this.stamps.delete(id);
        index.remove(id);
      }
    }
    this.dirty.clear();
    for (let i = 0; i < reload.length; i += 5000) {
      const batch = await loadOffers(m, 'o.id = ANY($1::uuid[])', [reload.slice(i, i + 5000)]);
      for (const o of batch) index.upsert(prepareOffer(o.facts, o.version));
    }
    if (this.users === 0) index.compact();
  }
}
