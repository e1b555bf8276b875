/** A delivery row claimed for one attempt (status `sending`, lease held). */
export interface ClaimedDelivery {
  id: string;
  eventId: string;
  channel: 'email' | 'webhook';
  userId: string | null;
  endpointId: string | null;
  /** This attempt's number (1 for the first). */
  attempts: number;
  firstAttemptAt: Date;
}

export interface SendOutcome {
  ok: boolean;
  error?: string | null;
  statusCode?: number | null;
  durationMs?: number;
  /** Retrying cannot help (recipient gone, SMTP 5xx): the row ends `failed` or `cancelled`. */
  permanent?: boolean;
  /** The recipient or endpoint no longer takes deliveries: `cancelled` rather than `failed`. */
  cancelled?: boolean;
}

/** One class per channel behind one interface; the delivery service owns claiming and retries. */
export interface DeliveryChannel {
  send(delivery: ClaimedDelivery): Promise<SendOutcome>;
}

export interface StoredEvent {
  id: string;
  type: string;
  entity_type: string;
  entity_id: string | null;
  data: {
    facts?: Record<string, unknown>;
    link?: string | null;
    refs?: Record<string, string | null>;
    items?: { type: string; facts: Record<string, unknown>; link: string | null }[];
  };
  created_at: Date;
}
