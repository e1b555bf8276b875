import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { OutboxService } from '../outbox/outbox.service';
import { ReferenceService } from '../reference/reference.service';
import {
  donorOverlapSummary,
  envelopeExceededSummary,
  overCommitmentSummary,
} from './alert-summaries';
import type { AlertKind } from './coordination-alert.entity';

/** A condition found in the commitments, ready to be stored (once) as an alert. */
export interface AlertCandidate {
  kind: AlertKind;
  dedupeKey: string;
  summary: string;
  needId: string | null;
  offerId: string | null;
  partyId: string | null;
  needIds: string[];
  donorPartyIds: string[];
  details: Record<string, unknown>;
}

/** What to look at: one need, offer and State (after a commitment), or everything (sweep). */
export interface DetectionScope {
  needId?: string;
  offerId?: string;
  statePartyId?: string;
}

const num = (v: string | number) => Number(v);

/**
 * Finds coordination problems in the commitments and raises each as an alert exactly once:
 * the unique dedupe key makes a second detection of the same condition (a redelivered event,
 * the periodic sweep, two workers at once) a no-op. Raising an alert is audited and written
 * to the outbox (`coordination.alert.raised`) in the same transaction.
 */
@Injectable()
export class AlertDetectorService {
  private readonly logger = new Logger('CoordinationAlerts');

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly reference: ReferenceService,
    private readonly audit: AuditService,
    private readonly outbox: OutboxService,
  ) {}

  /** After a commitment on `matchId`: its need, its offer, and the need's State. */
  async afterCommitment(matchId: string): Promise<string[]> {
    const [match] = (await this.db.query(
      `SELECT ms.need_id, ms.offer_id, n.party_id
         FROM match_suggestion ms JOIN need n ON n.id = ms.need_id WHERE ms.id = $1`,
      [matchId],
    )) as { need_id: string; offer_id: string; party_id: string }[];
    if (!match) return []; // gone: nothing to check
    return this.detect({
      needId: match.need_id,
      offerId: match.offer_id,
      statePartyId: match.party_id,
    });
  }

  /** Everything (the periodic sweep). */
  sweep(): Promise<string[]> {
    return this.detect({});
  }

  /** Detects within `scope` and raises what is new; returns the ids of the alerts raised. */
  async detect(scope: DetectionScope): Promise<string[]> {
    const all = !scope.needId && !scope.offerId && !scope.statePartyId;
    const candidates = [
      ...(all || scope.needId ? await this.overCommitments(scope.needId) : []),
      ...(all || scope.offerId ? await this.exceededEnvelopes(scope.offerId) : []),
      ...(all || scope.statePartyId ? await this.donorOverlaps(scope.statePartyId) : []),
    ];
    if (!candidates.length) return [];
    const known = new Set(
      (
        (await this.db.query(
          `SELECT dedupe_key FROM coordination_alert WHERE dedupe_key = ANY($1::text[])`,
          [candidates.map((c) => c.dedupeKey)],
        )) as { dedupe_key: string }[]
      ).map((r) => r.dedupe_key),
    );
    const raised: string[] = [];
    for (const candidate of candidates.filter((c) => !known.has(c.dedupeKey))) {
      const id = await this.db.transaction((m) => this.raise(m, candidate));
      if (id) raised.push(id);
    }
    if (raised.length) this.logger.log(`Raised ${raised.length} coordination alert(s)`);
    return raised;
  }

  /** Stores the alert unless its condition already has one; audit and outbox with it. */
  async raise(m: EntityManager, c: AlertCandidate): Promise<string | null> {
    const [row] = (await m.query(
      `INSERT INTO coordination_alert
         (kind, dedupe_key, summary, need_id, offer_id, party_id, need_ids, donor_party_ids, details)
       VALUES ($1, $2, $3, $4, $5, $6, $7::uuid[], $8::uuid[], $9::jsonb)
       ON CONFLICT (dedupe_key) DO NOTHING
       RETURNING id`,
      [
        c.kind,
        c.dedupeKey,
        c.summary,
        c.needId,
        c.offerId,
        c.partyId,
        c.needIds,
        c.donorPartyIds,
        JSON.stringify(c.details),
      ],
    )) as { id: string }[];
    if (!row) return null;
    await this.audit.record(m, {
      action: 'coordination_alert.raise',
      entityType: 'coordination_alert',
      entityId: row.id,
      entityPartyId: c.partyId,
      after: {
        kind: c.kind,
        summary: c.summary,
        needId: c.needId,
        offerId: c.offerId,
        partyId: c.partyId,
      },
      metadata: { dedupeKey: c.dedupeKey },
    });
    await this.outbox.add(m, {
      type: 'coordination.alert.raised',
      entityType: 'coordination_alert',
      entityId: row.id,
      version: 1,
      partyId: null,
    });
    return row.id;
  }

  /** Needs whose commitments together exceed their estimated cost. */
  private async overCommitments(needId?: string): Promise<AlertCandidate[]> {
    const rows = (await this.db.query(
      `SELECT n.id, n.party_id, n.title, n.country_code, sp.name AS state,
              n.estimated_usd::text AS estimated, sum(c.amount_usd)::text AS committed,
              json_agg(json_build_object(
                'commitmentId', c.id, 'offerId', c.offer_id, 'donorPartyId', o.party_id,
                'donor', dp.name, 'amountUsd', c.amount_usd, 'amount', c.amount,
                'currency', c.currency) ORDER BY c.created_at, c.id) AS commitments
         FROM need n
         JOIN party sp ON sp.id = n.party_id
         JOIN commitment c ON c.need_id = n.id
         JOIN offer o ON o.id = c.offer_id
         JOIN party dp ON dp.id = o.party_id
        WHERE ($1::uuid IS NULL OR n.id = $1)
        GROUP BY n.id, sp.name
       HAVING sum(c.amount_usd) > n.estimated_usd`,
      [needId ?? null],
    )) as {
      id: string;
      party_id: string;
      title: string;
      country_code: string;
      state: string;
      estimated: string;
      committed: string;
      commitments: {
        commitmentId: string;
        offerId: string;
        donorPartyId: string;
        donor: string;
        amountUsd: number;
      }[];
    }[];
    return rows.map((r) => {
      const byDonor = new Map<string, { donor: string; amountUsd: number }>();
      for (const c of r.commitments) {
        const d = byDonor.get(c.donorPartyId) ?? { donor: c.donor, amountUsd: 0 };
        d.amountUsd = Math.round((d.amountUsd + num(c.amountUsd)) * 100) / 100;
        byDonor.set(c.donorPartyId, d);
      }
      return {
        kind: 'over_commitment',
        dedupeKey: `over_commitment:need:${r.id}`,
        summary: overCommitmentSummary({
          state: r.state,
          needTitle: r.title,
          estimatedUsd: num(r.estimated),
          committedUsd: num(r.committed),
          donors: [...byDonor.values()],
        }),
        needId: r.id,
        offerId: null,
        partyId: r.party_id,
        needIds: [r.id],
        donorPartyIds: [...byDonor.keys()],
        details: {
          state: r.country_code,
          estimatedUsd: num(r.estimated),
          committedUsd: num(r.committed),
          excessUsd: Math.round((num(r.committed) - num(r.estimated)) * 100) / 100,
          commitments: r.commitments,
        },
      };
    });
  }

  /** Offers committed beyond their envelope. */
  private async exceededEnvelopes(offerId?: string): Promise<AlertCandidate[]> {
    const catalog = await this.reference.catalog();
    const rows = (await this.db.query(
      `SELECT o.id, o.party_id, o.title, dp.name AS donor, o.control_areas,
              o.total_usd::text AS total, o.committed_usd::text AS committed,
              array_agg(DISTINCT c.need_id) AS need_ids,
              array_agg(DISTINCT sp.name) AS states
         FROM offer o
         JOIN party dp ON dp.id = o.party_id
         JOIN commitment c ON c.offer_id = o.id
         JOIN need n ON n.id = c.need_id
         JOIN party sp ON sp.id = n.party_id
        WHERE o.committed_usd > o.total_usd AND ($1::uuid IS NULL OR o.id = $1)
        GROUP BY o.id, dp.name`,
      [offerId ?? null],
    )) as {
      id: string;
      party_id: string;
      title: string;
      donor: string;
      control_areas: string[];
      total: string;
      committed: string;
      need_ids: string[];
      states: string[];
    }[];
    return rows.map((r) => ({
      kind: 'envelope_exceeded',
      dedupeKey: `envelope_exceeded:offer:${r.id}`,
      summary: envelopeExceededSummary({
        donor: r.donor,
        offerTitle: r.title,
        totalUsd: num(r.total),
        committedUsd: num(r.committed),
        states: [...r.states].sort(),
        areas: r.control_areas.map((code) => {
          const area = catalog.controlAreas.find((a) => a.code === code);
          return area ? `${code} (${area.title})` : code;
        }),
      }),
      needId: null,
      offerId: r.id,
      partyId: null,
      needIds: r.need_ids,
      donorPartyIds: [r.party_id],
      details: {
        totalUsd: num(r.total),
        committedUsd: num(r.committed),
        excessUsd: Math.round((num(r.committed) - num(r.total)) * 100) / 100,
      },
    }));
  }

  /**
   * Pairs of donors funding the same State in the same control-area series with commitments
   * whose periods overlap. One alert per (State, series, pair of donors): a third donor joining
   * raises the alerts of its own pairs.
   */
  private async donorOverlaps(statePartyId?: string): Promise<AlertCandidate[]> {
    const rows = (await this.db.query(
      `WITH cm AS (
         SELECT c.id, c.need_id, c.amount_usd, c.start_date, c.end_date,
                n.party_id AS state_party, o.party_id AS donor, a.area
           FROM commitment c
           JOIN need n ON n.id = c.need_id
           JOIN offer o ON o.id = c.offer_id
           CROSS JOIN LATERAL (
             SELECT DISTINCT COALESCE(x.series, x.code) AS area
               FROM unnest(n.control_areas) AS u(code) JOIN control_area x ON x.code = u.code
           ) a
          WHERE ($1::uuid IS NULL OR n.party_id = $1)
       ), pairs AS (
         SELECT a.state_party, a.area, a.donor AS donor_a, b.donor AS donor_b,
                array_agg(DISTINCT a.id) AS commitments_a, array_agg(DISTINCT b.id) AS commitments_b
           FROM cm a
           JOIN cm b ON b.state_party = a.state_party AND b.area = a.area AND a.donor < b.donor
                    AND a.start_date <= b.end_date AND b.start_date <= a.end_date
          GROUP BY a.state_party, a.area, a.donor, b.donor
       )
       SELECT pairs.*, sp.name AS state, sp.country_code, ca.title AS area_title,
              pa.name AS donor_a_name, pb.name AS donor_b_name
         FROM pairs
         JOIN party sp ON sp.id = pairs.state_party
         JOIN party pa ON pa.id = pairs.donor_a
         JOIN party pb ON pb.id = pairs.donor_b
         JOIN control_area ca ON ca.code = pairs.area
        ORDER BY pairs.state_party, ca.sort_order, pa.name, pb.name`,
      [statePartyId ?? null],
    )) as {
      state_party: string;
      area: string;
      donor_a: string;
      donor_b: string;
      commitments_a: string[];
      commitments_b: string[];
      state: string;
      country_code: string;
      area_title: string;
      donor_a_name: string;
      donor_b_name: string;
    }[];
    if (!rows.length) return [];
    const ids = [...new Set(rows.flatMap((r) => [...r.commitments_a, ...r.commitments_b]))];
    const commitments = new Map(
      (
        (await this.db.query(
          `SELECT id, need_id, amount_usd::text AS usd, to_char(start_date, 'YYYY-MM-DD') AS start,
                  to_char(end_date, 'YYYY-MM-DD') AS "end"
             FROM commitment WHERE id = ANY($1::uuid[])`,
          [ids],
        )) as { id: string; need_id: string; usd: string; start: string; end: string }[]
      ).map((c) => [c.id, c]),
    );
    return rows.map((r) => {
      const side = (donor: string, name: string, ids: string[]) => {
        const list = ids.map((id) => commitments.get(id)!).filter(Boolean);
        return {
          donorPartyId: donor,
          donor: name,
          amountUsd: Math.round(list.reduce((s, c) => s + num(c.usd) * 100, 0)) / 100,
          startDate: list.map((c) => c.start).sort()[0],
          endDate: list
            .map((c) => c.end)
            .sort()
            .reverse()[0],
          commitments: list.map((c) => ({
            commitmentId: c.id,
            needId: c.need_id,
            amountUsd: num(c.usd),
            startDate: c.start,
            endDate: c.end,
          })),
        };
      };
      // Named in alphabetical order (the dedupe key orders the pair by id).
      const [a, b] = [
        side(r.donor_a, r.donor_a_name, r.commitments_a),
        side(r.donor_b, r.donor_b_name, r.commitments_b),
      ].sort(
        (x, y) => x.donor.localeCompare(y.donor) || x.donorPartyId.localeCompare(y.donorPartyId),
      );
      const needIds = [
        ...new Set([...a.commitments, ...b.commitments].map((c) => c.needId)),
      ].sort();
      return {
        kind: 'donor_overlap',
        dedupeKey: `donor_overlap:${r.state_party}:${r.area}:${r.donor_a}:${r.donor_b}`,
        summary: donorOverlapSummary({
          state: r.state,
          areaCode: r.area,
          areaTitle: r.area_title,
          donors: [a, b],
        }),
        needId: needIds.length === 1 ? needIds[0] : null,
        offerId: null,
        partyId: r.state_party,
        needIds,
        donorPartyIds: [r.donor_a, r.donor_b],
        details: { state: r.country_code, area: r.area, donors: [a, b] },
      };
    });
  }
}
