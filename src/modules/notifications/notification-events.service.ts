import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { DomainEvent } from '../outbox/domain-events';
import type { NotificationDraft } from './notification-draft';
import type { NotificationType, AudienceSide } from './notification-types';

interface MatchRow {
  id: string;
  need_id: string;
  offer_id: string;
  need_party_id: string;
  offer_party_id: string;
  score: string;
  need_title: string;
  offer_title: string;
  state_name: string;
  donor_name: string;
}

interface AuditRow {
  actor_user_id: string | null;
  entity_id: string | null;
  metadata: Record<string, unknown> | null;
  actor_name: string | null;
  actor_party_name: string | null;
}

const EXCERPT = 200;
const excerpt = (text: string) =>
  text.length > EXCERPT ? `${text.slice(0, EXCERPT - 1).trimEnd()}…` : text;
const isoDate = (d: Date | string | null) =>
  d === null ? undefined : new Date(d).toISOString().slice(0, 10);

/** Both sides of a match and the secretariat. */
const EVERYONE: AudienceSide[] = ['state', 'donor', 'secretariat'];

/** Match events of the review workflow and what each becomes (the transition is in the audit). */
const MATCH_EVENTS: Record<
  string,
  { action: string; type?: NotificationType; sides?: AudienceSide[] }
> = {
  'match.shortlist': {
    action: 'match.shortlist',
    type: 'match.shortlisted',
    sides: ['state', 'donor'],
  },
  'match.propose': { action: 'match.propose', type: 'match.proposed', sides: ['state', 'donor'] },
  'match.interest': { action: 'match.interest' },
  'match.decline': { action: 'match.decline', type: 'match.declined', sides: EVERYONE },
  'match.committed': { action: 'match.commit', type: 'match.committed', sides: EVERYONE },
  'match.comment_added': {
    action: 'match_comment.create',
    type: 'match.comment_added',
    sides: EVERYONE,
  },
  'match.start': { action: 'match.start', type: 'match.delivery_started', sides: EVERYONE },
  'match.deliver': { action: 'match.deliver', type: 'match.delivered', sides: EVERYONE },
  'match.close': { action: 'match.close', type: 'match.closed', sides: EVERYONE },
};

/** The columns of a need that its notifications use (`needRow`). */
interface NeedRow {
  id: string;
  title: string;
  party_id: string;
  status: string;
  status_note: string | null;
  consent_status: string | null;
  consent_deadline: Date | null;
  needed_by: string;
  published_at: Date | null;
  state_name: string;
}

type NeedEventRule = (need: NeedRow) => {
  type: NotificationType;
  sides: AudienceSide[];
  facts?: Partial<NotificationDraft['facts']>;
};

/** Need events and what each becomes, from the need as it now is. */
const NEED_EVENTS: Record<string, NeedEventRule> = {
  // A State submitted a need: the secretariat has it to review.
  'need.submitted': () => ({ type: 'need.submitted', sides: ['secretariat'] }),
  // Published: its State is told; one filed on the State's behalf does not circulate yet, and
  // the State is asked to consent instead.
  'need.published': (need) =>
    need.consent_status === 'pending'
      ? {
          type: 'need.consent_requested',
          sides: ['state'],
          facts: { deadline: isoDate(need.consent_deadline) },
        }
      : { type: 'need.published', sides: ['state'] },
  // The secretariat returned it to draft: its State is told, with the note.
  'need.returned': (need) => ({
    type: 'need.returned',
    sides: ['state'],
    facts: { excerpt: excerpt(need.status_note ?? '') },
  }),
  'need.expired': (need) => ({
    type: 'need.expired',
    sides: ['state', 'secretariat'],
    facts: { neededBy: String(need.needed_by).slice(0, 10) },
  }),
};

/**
 * Turns what happened into notification drafts: change events from the outbox (match workflow,
 * consent requests, expiry, coordination alerts, disabled webhooks) and new suggestions found
 * by the sweep. Who acted and how (interest side, decline reason, comment) comes from the
 * audit entry written in the same transaction as the event.
 */
@Injectable()
export class NotificationEventsService {
  private readonly logger = new Logger('Notifications');

  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Outbox event types this module reacts to (others are ignored). */
  static readonly PATTERNS = [
    'match.*',
    ...Object.keys(NEED_EVENTS),
    'coordination.alert.raised',
    'webhook.disabled',
  ];

  async fromDomainEvent(event: DomainEvent): Promise<NotificationDraft | null> {
    const m = this.db.manager;
    const dedupeKey = `outbox:${event.outboxId}`;
    const rule = MATCH_EVENTS[event.type];
    if (rule) return this.fromMatchEvent(m, event, rule, dedupeKey);
    const needRule = NEED_EVENTS[event.type];
    if (needRule) return this.fromNeedEvent(m, event, needRule, dedupeKey);
    switch (event.type) {
      case 'coordination.alert.raised':
        return this.alert(m, event.entityId, dedupeKey, event.outboxId);
      case 'webhook.disabled':
        return this.webhookDisabled(m, event.entityId, dedupeKey, event.outboxId);
      default:
        return null;
    }
  }

  async matchRow(m: EntityManager, matchId: string): Promise<MatchRow | null> {
    const [row] = (await m.query(
      `SELECT ms.id, ms.need_id, ms.offer_id, ms.need_party_id, ms.offer_party_id, ms.score,
              n.title AS need_title, o.title AS offer_title, sp.name AS state_name, dp.name AS donor_name
         FROM match_suggestion ms
         JOIN need n ON n.id = ms.need_id
         JOIN offer o ON o.id = ms.offer_id
         JOIN party sp ON sp.id = ms.need_party_id
         JOIN party dp ON dp.id = ms.offer_party_id
        WHERE ms.id = $1`,
      [matchId],
    )) as MatchRow[];
    return row ?? null;
  }

  /** A draft about a match, for the given sides. */
  matchDraft(
    match: MatchRow,
    type: NotificationType,
    sides: AudienceSide[],
    dedupeKey: string,
    extra: Partial<NotificationDraft['facts']> = {},
    exclude: (string | null)[] = [],
    outboxId: string | null = null,
  ): NotificationDraft {
    return {
      dedupeKey,
      type,
      entityType: 'match',
      entityId: match.id,
      facts: {
        need: match.need_title,
        offer: match.offer_title,
        state: match.state_name,
        donor: match.donor_name,
        score: Number(match.score),
        ...extra,
      },
      link: `/api/v1/matches/${match.id}`,
      refs: { matchId: match.id, needId: match.need_id, offerId: match.offer_id },
      audience: {
        sides,
        needId: match.need_id,
        offerPartyId: match.offer_party_id,
        excludeUserIds: exclude,
      },
      outboxId,
    };
  }

  /** The audit entry of the change that wrote this outbox event (same request, nearest time). */
  private async auditOf(
    m: EntityManager,
    event: DomainEvent,
    action: string,
  ): Promise<AuditRow | null> {
    const [outbox] = (await m.query(
      `SELECT request_id, created_at FROM outbox_event WHERE id = $1`,
      [event.outboxId],
    )) as { request_id: string | null; created_at: Date }[];
    const byComment = action.startsWith('match_comment.');
    const [row] = (await m.query(
      `SELECT a.actor_user_id, a.entity_id, a.metadata, u.name AS actor_name, p.name AS actor_party_name
         FROM audit_entry a
         LEFT JOIN app_user u ON u.id = a.actor_user_id
         LEFT JOIN party p ON p.id = a.actor_party_id
        WHERE a.action = $1 AND ${byComment ? `a.metadata->>'matchId'` : 'a.entity_id'} = $2
        ORDER BY (a.request_id IS NOT DISTINCT FROM $3) DESC,
                 abs(extract(epoch FROM (a.at - $4::timestamptz))) ASC
        LIMIT 1`,
      [action, event.entityId, outbox?.request_id ?? null, outbox?.created_at ?? event.occurredAt],
    )) as AuditRow[];
    return row ?? null;
  }

  private async fromMatchEvent(
    m: EntityManager,
    event: DomainEvent,
    rule: (typeof MATCH_EVENTS)[string],
    dedupeKey: string,
  ): Promise<NotificationDraft | null> {
    const match = await this.matchRow(m, event.entityId);
    if (!match) return null;
    const audit = await this.auditOf(m, event, rule.action);
    const actor = audit?.actor_user_id ?? null;
    const meta = audit?.metadata ?? {};
    const draft = (type: NotificationType, sides: AudienceSide[], extra = {}) =>
      this.matchDraft(match, type, sides, dedupeKey, extra, [actor], event.outboxId);
    switch (event.type) {
      case 'match.interest': {
        if (meta.to === 'agreed') return draft('match.agreed', EVERYONE);
        const side = meta.side === 'donor' ? 'donor' : 'state';
        return draft('match.interest', [side === 'state' ? 'donor' : 'state', 'secretariat'], {
          actor: side === 'state' ? match.state_name : match.donor_name,
        });
      }
      case 'match.decline': {
        const side = String(meta.side ?? '');
        return draft(rule.type!, rule.sides!, {
          actor:
            side === 'state'
              ? match.state_name
              : side === 'donor'
                ? match.donor_name
                : (audit?.actor_party_name ?? 'the secretariat'),
          reasonCode: typeof meta.reasonCode === 'string' ? meta.reasonCode : 'other',
        });
      }
      case 'match.committed': {
        const [c] = (await m.query(
          `SELECT amount, currency FROM commitment WHERE match_id = $1 ORDER BY created_at DESC LIMIT 1`,
          [match.id],
        )) as { amount: string; currency: string }[];
        return draft(
          rule.type!,
          rule.sides!,
          c ? { amount: Number(c.amount), currency: c.currency } : {},
        );
      }
      case 'match.comment_added': {
        const [comment] = audit?.entity_id
          ? ((await m.query(`SELECT body, deleted_at FROM match_comment WHERE id = $1`, [
              audit.entity_id,
            ])) as { body: string; deleted_at: Date | null }[])
          : [];
        const who = audit?.actor_name
          ? `${audit.actor_name}${audit.actor_party_name ? ` (${audit.actor_party_name})` : ''}`
          : (audit?.actor_party_name ?? '—');
        return draft(rule.type!, rule.sides!, {
          actor: who,
          excerpt: comment ? (comment.deleted_at ? '[deleted]' : excerpt(comment.body)) : '',
        });
      }
      default:
        return draft(rule.type!, rule.sides!);
    }
  }

  private async needRow(m: EntityManager, id: string): Promise<NeedRow | null> {
    const [row] = (await m.query(
      `SELECT n.id, n.title, n.party_id, n.status, n.status_note, n.consent_status, n.consent_deadline,
              n.needed_by, n.published_at, p.name AS state_name
         FROM need n JOIN party p ON p.id = n.party_id WHERE n.id = $1`,
      [id],
    )) as NeedRow[];
    return row ?? null;
  }

  needDraft(
    need: NeedRow,
    type: NotificationType,
    sides: AudienceSide[],
    dedupeKey: string,
    extra: Partial<NotificationDraft['facts']> = {},
    outboxId: string | null = null,
  ): NotificationDraft {
    return {
      dedupeKey,
      type,
      entityType: 'need',
      entityId: need.id,
      facts: { need: need.title, state: need.state_name, ...extra },
      link: `/api/v1/needs/${need.id}`,
      refs: { needId: need.id },
      audience: { sides, needId: need.id },
      outboxId,
    };
  }

  /** A need event as its notification: the rule picks type, sides and facts from the row. */
  private async fromNeedEvent(
    m: EntityManager,
    event: DomainEvent,
    rule: NeedEventRule,
    dedupeKey: string,
  ): Promise<NotificationDraft | null> {
    const need = await this.needRow(m, event.entityId);
    if (!need) return null;
    const { type, sides, facts } = rule(need);
    return this.needDraft(need, type, sides, dedupeKey, facts, event.outboxId);
  }

  /** Drafts for follow-up reminders (the follow-up service picks the needs). */
  async needDraftFor(
    needId: string,
    type: NotificationType,
    sides: AudienceSide[],
    dedupeKey: string,
    extra: Partial<NotificationDraft['facts']>,
  ): Promise<NotificationDraft | null> {
    const need = await this.needRow(this.db.manager, needId);
    return need ? this.needDraft(need, type, sides, dedupeKey, extra) : null;
  }

  /** Coordination alerts (issue 10's table), read by id; every secretariat user hears of them. */
  private async alert(
    m: EntityManager,
    alertId: string,
    dedupeKey: string,
    outboxId: string,
  ): Promise<NotificationDraft | null> {
    const [exists] = (await m.query(`SELECT to_regclass('coordination_alert') AS t`)) as {
      t: string | null;
    }[];
    if (!exists?.t) {
      this.logger.warn(`coordination.alert.raised ${alertId}: no coordination_alert table`);
      return null;
    }
    const [alert] = (await m.query(
      `SELECT id, kind, summary, need_id, offer_id, party_id FROM coordination_alert WHERE id = $1`,
      [alertId],
    )) as {
      id: string;
      kind: string;
      summary: string;
      need_id: string | null;
      offer_id: string | null;
      party_id: string | null;
    }[];
    if (!alert) return null;
    return {
      dedupeKey,
      type: 'coordination.alert.raised',
      entityType: 'coordination_alert',
      entityId: alert.id,
      facts: { alertKind: alert.kind, summary: alert.summary },
      link: '/api/v1/coordination/alerts',
      refs: {
        alertId: alert.id,
        needId: alert.need_id,
        offerId: alert.offer_id,
        partyId: alert.party_id,
      },
      audience: { sides: ['secretariat'] },
      outboxId,
    };
  }

  private async webhookDisabled(
    m: EntityManager,
    endpointId: string,
    dedupeKey: string,
    outboxId: string,
  ): Promise<NotificationDraft | null> {
    const [endpoint] = (await m.query(
      `SELECT id, party_id, url, disabled_reason FROM webhook_endpoint WHERE id = $1`,
      [endpointId],
    )) as { id: string; party_id: string; url: string; disabled_reason: string | null }[];
    if (!endpoint) return null;
    return {
      dedupeKey,
      type: 'webhook.disabled',
      entityType: 'webhook_endpoint',
      entityId: endpoint.id,
      facts: { url: endpoint.url, error: endpoint.disabled_reason ?? '' },
      link: `/api/v1/webhooks/${endpoint.id}`,
      refs: { webhookId: endpoint.id },
      audience: { sides: ['party'], partyId: endpoint.party_id },
      outboxId,
    };
  }

  /**
   * New suggestions at or above the threshold that nobody was told about yet: stored in the
   * last two days, first stored first. `new_suggestion_ids` (migration NewSuggestionsByTime)
   * reads them through the primary key, whose ids are time-ordered, not the whole table.
   */
  async newSuggestions(minScore: number, limit = 200): Promise<NotificationDraft[]> {
    const m = this.db.manager;
    const rows: { id: string }[] = await m.query(
      `SELECT id FROM new_suggestion_ids($1, $2) AS id`,
      [minScore, limit],
    );
    const drafts: NotificationDraft[] = [];
    for (const { id } of rows) {
      const match = await this.matchRow(m, id);
      if (match) {
        drafts.push(
          this.matchDraft(
            match,
            'match.suggested',
            ['state', 'donor', 'secretariat'],
            `suggestion:${id}`,
          ),
        );
      }
    }
    return drafts;
  }
}
