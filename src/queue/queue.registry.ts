/**
 * The one place where queues, job names and their payloads are declared. A job name is
 * bound to its queue and its payload type, so a typo or a wrong payload is a compile error.
 * Payloads carry ids (and versions), never whole records: processors reload what they need.
 */
export const QUEUE_NAMES = [
  'email',
  'events',
  'matching',
  'review',
  'imports',
  'coordination',
  'notifications',
  'allocation',
] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

export interface JobPayloads {
  /** Send one e-mail whose content was rendered when it was queued. */
  'email.send': { to: string; subject: string; text: string; html?: string; purpose: string };
  /** A change recorded in the outbox, fanned out to the modules that react to it. */
  'events.domain-event': {
    outboxId: string;
    type: string;
    entityType: string;
    entityId: string;
    version: number;
    partyId: string | null;
    occurredAt: string;
  };
  /** Recompute the suggestions of one need (payload version: the one that triggered it). */
  'matching.match-need': { needId: string; version: number };
  /** Recompute the suggestions of one offer. */
  'matching.match-offer': { offerId: string; version: number };
  /** Enqueue every need and offer whose stored matches are older than the record. */
  'matching.reconcile': { reason: string };
  /** Recompute every open need and active offer, with progress. */
  'matching.rematch-all': { requestedBy: string | null };
  /** One chunk of a full re-match: the open needs with ids in [fromId, toId). */
  'matching.rematch-chunk': {
    runId: string;
    chunk: number;
    fromId: string;
    toId: string | null;
    needs: number;
  };
  /** One part of a full re-match's offers' side: the active offers with ids in [fromId, toId). */
  'matching.rematch-offers': {
    runId: string;
    part: number;
    fromId: string;
    toId: string | null;
    offers: number;
    /**
     * The part's stored pairs whose need is not open, by offer, found by the run for every part
     * at once (`closedPairsByPart`); absent, the part reads them itself.
     */
    closed?: Record<string, string[]>;
  };
  /** Circulate needs filed on a State's behalf whose no-objection period passed (scheduled). */
  'review.release-consent': { reason: string };
  /** Run one bulk import (the file and its requester are stored in import_job). */
  'imports.run': { importId: string };
  /** Look through every commitment for coordination alerts not raised yet (scheduled). */
  'coordination.sweep-alerts': { reason: string };
  /** Send one notification delivery (e-mail or webhook) if it is still due; the row decides. */
  'notifications.deliver': { deliveryId: string };
  /** Re-enqueue due deliveries, recover expired leases, notify new suggestions (scheduled). */
  'notifications.sweep': { reason: string };
  /** One digest e-mail per user per day from the deliveries waiting for it (scheduled). */
  'notifications.digest': { reason: string };
  /** Follow-up reminders and the expiry of needs past their needed-by date (scheduled). */
  'notifications.follow-up': { reason: string };
  /** Solve one allocation run (its parameters are stored in allocation_run). */
  'allocation.solve': { runId: string };
}

export type JobName = keyof JobPayloads;

export const JOB_QUEUE: { readonly [J in JobName]: QueueName } = {
  'email.send': 'email',
  'events.domain-event': 'events',
  'matching.match-need': 'matching',
  'matching.match-offer': 'matching',
  'matching.reconcile': 'matching',
  'matching.rematch-all': 'matching',
  'matching.rematch-chunk': 'matching',
  'matching.rematch-offers': 'matching',
  'review.release-consent': 'review',
  'imports.run': 'imports',
  'coordination.sweep-alerts': 'coordination',
  'notifications.deliver': 'notifications',
  'notifications.sweep': 'notifications',
  'notifications.digest': 'notifications',
  'notifications.follow-up': 'notifications',
  'allocation.solve': 'allocation',
};

/** Retry policy per queue; the producer applies it so no call site can forget it. */
export const QUEUE_POLICY: Record<QueueName, { attempts: number; backoffMs: number }> = {
  email: { attempts: 8, backoffMs: 5_000 },
  events: { attempts: 10, backoffMs: 1_000 },
  matching: { attempts: 5, backoffMs: 2_000 },
  review: { attempts: 5, backoffMs: 5_000 },
  // An import is all-or-nothing and idempotent (external references), so a retry is safe.
  imports: { attempts: 3, backoffMs: 5_000 },
  coordination: { attempts: 5, backoffMs: 5_000 },
  // Send failures are retried on the delivery row's own schedule (next_attempt_at); these
  // attempts only cover unexpected errors such as the database being briefly unreachable.
  notifications: { attempts: 5, backoffMs: 2_000 },
  // A solve is a pure function of the database at the time; a retry recomputes it.
  allocation: { attempts: 2, backoffMs: 10_000 },
};

export const JOB_RETENTION = {
  removeOnComplete: { age: 24 * 3600, count: 10_000 },
  removeOnFail: { age: 14 * 24 * 3600 },
} as const;

export function queueOf(job: JobName): QueueName {
  return JOB_QUEUE[job];
}
