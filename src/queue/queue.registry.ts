/**
 * The one place where queues, job names and their payloads are declared. A job name is
 * bound to its queue and its payload type, so a typo or a wrong payload is a compile error.
 * Payloads carry ids (and versions), never whole records: processors reload what they need.
 */
export const QUEUE_NAMES = ['email', 'events', 'matching', 'review', 'imports'] as const;
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
  /** Circulate needs filed on a State's behalf whose no-objection period passed (scheduled). */
  'review.release-consent': { reason: string };
  /** Run one bulk import (the file and its requester are stored in import_job). */
  'imports.run': { importId: string };
}

export type JobName = keyof JobPayloads;

export const JOB_QUEUE: { readonly [J in JobName]: QueueName } = {
  'email.send': 'email',
  'events.domain-event': 'events',
  'matching.match-need': 'matching',
  'matching.match-offer': 'matching',
  'matching.reconcile': 'matching',
  'matching.rematch-all': 'matching',
  'review.release-consent': 'review',
  'imports.run': 'imports',
};

/** Retry policy per queue; the producer applies it so no call site can forget it. */
export const QUEUE_POLICY: Record<QueueName, { attempts: number; backoffMs: number }> = {
  email: { attempts: 8, backoffMs: 5_000 },
  events: { attempts: 10, backoffMs: 1_000 },
  matching: { attempts: 5, backoffMs: 2_000 },
  review: { attempts: 5, backoffMs: 5_000 },
  // An import is all-or-nothing and idempotent (external references), so a retry is safe.
  imports: { attempts: 3, backoffMs: 5_000 },
};

export const JOB_RETENTION = {
  removeOnComplete: { age: 24 * 3600, count: 10_000 },
  removeOnFail: { age: 14 * 24 * 3600 },
} as const;

export function queueOf(job: JobName): QueueName {
  return JOB_QUEUE[job];
}
