import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../config/app-config';
import type { ClaimedDelivery, DeliveryChannel, SendOutcome, StoredEvent } from './channels';
import { WebhookSecrets } from './webhooks/webhook-secrets';
import { postWebhook } from './webhooks/webhook-sender';
import {
  DELIVERY_HEADER,
  EVENT_HEADER,
  SIGNATURE_HEADER,
  signatureHeader,
} from './webhooks/webhook-signature';

/**
 * The JSON body of a delivery: the same bytes on every attempt (built from the stored event),
 * so a receiver can dedupe on `id` (= X-Salw-Delivery) and compare copies.
 */
export function webhookBody(deliveryId: string, event: StoredEvent): string {
  return JSON.stringify({
    id: deliveryId,
    type: event.type,
    createdAt: new Date(event.created_at).toISOString(),
    entityType: event.entity_type,
    entityId: event.entity_id,
    data: { ...(event.data.refs ?? {}), ...(event.data.facts ?? {}) },
  });
}

/** Signed HTTP POST to the party's endpoint, to a checked address (see webhook-sender). */
@Injectable()
export class WebhookChannel implements DeliveryChannel {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly secrets: WebhookSecrets,
    private readonly config: AppConfig,
  ) {}

  async send(delivery: ClaimedDelivery): Promise<SendOutcome> {
    const [endpoint] = (await this.db.query(
      `SELECT id, url, secret_sealed, active FROM webhook_endpoint WHERE id = $1`,
      [delivery.endpointId],
    )) as { id: string; url: string; secret_sealed: string; active: boolean }[];
    if (!endpoint?.active) {
      return { ok: false, permanent: true, cancelled: true, error: 'endpoint disabled' };
    }
    const [event] = (await this.db.query(
      `SELECT id, type, entity_type, entity_id, data, created_at FROM notification_event WHERE id = $1`,
      [delivery.eventId],
    )) as StoredEvent[];
    const body = webhookBody(delivery.id, event);
    const secret = this.secrets.open(endpoint.secret_sealed, endpoint.id);
    const response = await postWebhook(
      endpoint.url,
      body,
      {
        [SIGNATURE_HEADER]: signatureHeader(secret, body),
        [DELIVERY_HEADER]: delivery.id,
        [EVENT_HEADER]: event.type,
        'X-Salw-Attempt': String(delivery.attempts),
      },
      {
        timeoutMs: this.config.env.WEBHOOK_TIMEOUT_MS,
        allowInsecure: this.config.env.WEBHOOK_ALLOW_INSECURE,
      },
    );
    return {
      ok: response.ok,
      statusCode: response.statusCode,
      durationMs: response.durationMs,
      error: response.error,
    };
  }
}
