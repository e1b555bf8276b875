import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import type { Principal } from '../../../common/access/roles';
import { AppException } from '../../../common/errors';
import { decodeCursor, Page, PageQuery, toPage } from '../../../common/pagination';
import { AppConfig } from '../../../config/app-config';
import { AuditService } from '../../audit/audit.service';
import { DeliveryQueue } from '../delivery-queue.service';
import type {
  CreateWebhookDto,
  UpdateWebhookDto,
  WebhookCreatedDto,
  WebhookDeliveryDto,
  WebhookDto,
} from '../dto/webhook.dto';
import { checkWebhookUrl, Resolver, systemResolver, UnsafeUrlError } from './address-guard';
import { WebhookSecrets } from './webhook-secrets';
import { newSigningSecret } from './webhook-signature';

interface EndpointRow {
  id: string;
  party_id: string;
  url: string;
  description: string | null;
  event_types: string[];
  secret_hint: string;
  active: boolean;
  disabled_at: Date | null;
  disabled_reason: string | null;
  created_at: Date;
  updated_at: Date;
  version: number;
}

const toDto = (r: EndpointRow): WebhookDto => ({
  id: r.id,
  partyId: r.party_id,
  url: r.url,
  description: r.description,
  eventTypes: r.event_types,
  active: r.active,
  disabledAt: r.disabled_at,
  disabledReason: r.disabled_reason,
  secretHint: r.secret_hint,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/** What audit entries compare (never the secret). */
const audited = (r: Pick<EndpointRow, 'url' | 'description' | 'event_types' | 'active'>) => ({
  url: r.url,
  description: r.description,
  eventTypes: r.event_types,
  active: r.active,
});

const COLUMNS = `id, party_id, url, description, event_types, secret_hint, active, disabled_at,
                 disabled_reason, created_at, updated_at, version`;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Webhook endpoints of the caller's party: registered with a checked URL (https, public
 * addresses), a signing secret shown once and stored encrypted, the event types chosen;
 * another party's endpoint answers 404. Deliveries and their attempts are listed per endpoint
 * and can be sent again on request.
 */
@Injectable()
export class WebhooksService {
  /** Replaceable in tests (DNS answers without a network). */
  resolver: Resolver = systemResolver;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly secrets: WebhookSecrets,
    private readonly audit: AuditService,
    private readonly queue: DeliveryQueue,
    private readonly config: AppConfig,
  ) {}

  private partyOf(principal: Principal): string {
    if (!principal.partyId) {
      throw new AppException('FORBIDDEN', 'Webhook endpoints belong to a party');
    }
    return principal.partyId;
  }

  private async checkUrl(url: string): Promise<void> {
    try {
      await checkWebhookUrl(url, this.config.env.WEBHOOK_ALLOW_INSECURE, this.resolver);
    } catch (error) {
      if (!(error instanceof UnsafeUrlError)) throw error;
      throw new AppException('UNPROCESSABLE', `Webhook URL refused: ${error.message}`, [
        { field: 'url', messages: [error.message] },
      ]);
    }
  }

  private async load(m: EntityManager, principal: Principal, id: string, lock = false) {
    const [row] = (await m.query(
      `SELECT ${COLUMNS} FROM webhook_endpoint WHERE id = $1 AND party_id = $2${lock ? ' FOR UPDATE' : ''}`,
      [id, this.partyOf(principal)],
    )) as EndpointRow[];
    if (!row) throw AppException.notFound('Webhook');
    return row;
  }

  async create(principal: Principal, input: CreateWebhookDto): Promise<WebhookCreatedDto> {
    const partyId = this.partyOf(principal);
    await this.checkUrl(input.url);
    const id = randomUUID();
    const secret = newSigningSecret();
    return this.db.transaction(async (m) => {
      const [row] = (await m.query(
        `INSERT INTO webhook_endpoint (id, party_id, url, description, event_types, secret_sealed, secret_hint, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${COLUMNS}`,
        [
          id,
          partyId,
          input.url,
          input.description ?? null,
          input.eventTypes,
          this.secrets.seal(secret, id),
          `…${secret.slice(-4)}`,
          principal.userId,
        ],
      )) as EndpointRow[];
      await this.audit.record(m, {
        action: 'webhook.create',
        entityType: 'webhook_endpoint',
        entityId: id,
        entityPartyId: partyId,
        after: audited(row),
      });
      return { ...toDto(row), secret };
    });
  }

  async list(principal: Principal, query: PageQuery): Promise<Page<WebhookDto>> {
    const limit = query.limit ?? 50;
    const cursor = decodeCursor(query.cursor, 1);
    if (cursor && !UUID.test(String(cursor[0]))) throw invalidCursor();
    const rows = (await this.db.query(
      `SELECT ${COLUMNS} FROM webhook_endpoint w WHERE party_id = $1
         ${cursor ? `AND (w.created_at, w.id) > (SELECT c.created_at, c.id FROM webhook_endpoint c WHERE c.id = CAST($3 AS uuid))` : ''}
        ORDER BY created_at, id LIMIT $2`,
      cursor
        ? [this.partyOf(principal), limit + 1, String(cursor[0])]
        : [this.partyOf(principal), limit + 1],
    )) as EndpointRow[];
    const page = toPage(rows, limit, (r) => [r.id]);
    return { items: page.items.map(toDto), nextCursor: page.nextCursor };
  }

  async get(principal: Principal, id: string): Promise<WebhookDto> {
    return toDto(await this.load(this.db.manager, principal, id));
  }

  async update(principal: Principal, id: string, input: UpdateWebhookDto): Promise<WebhookDto> {
    await this.load(this.db.manager, principal, id); // 404 before anything else
    if (input.url !== undefined) await this.checkUrl(input.url);
    return this.db.transaction(async (m) => {
      const before = await this.load(m, principal, id, true);
      const enabling = input.active === true && !before.active;
      const [[row]] = (await m.query(
        `UPDATE webhook_endpoint SET url = $2, description = $3, event_types = $4, active = $5,
                disabled_at = CASE WHEN $5 THEN NULL ELSE COALESCE(disabled_at, now()) END,
                disabled_reason = CASE WHEN $5 THEN NULL ELSE COALESCE(disabled_reason, 'disabled by a user') END,
                failing_since = CASE WHEN $6 THEN NULL ELSE failing_since END,
                version = version + 1, updated_at = now()
          WHERE id = $1 RETURNING ${COLUMNS}`,
        [
          id,
          input.url ?? before.url,
          input.description !== undefined ? input.description : before.description,
          input.eventTypes ?? before.event_types,
          input.active ?? before.active,
          enabling,
        ],
      )) as [EndpointRow[], number];
      await this.audit.record(m, {
        action: 'webhook.update',
        entityType: 'webhook_endpoint',
        entityId: id,
        entityPartyId: row.party_id,
        before: audited(before),
        after: audited(row),
      });
      return toDto(row);
    });
  }

  /**
   * A new signing secret, in this answer only; the old one stops working at once (deliveries
   * and retries from now on are signed with the new one, which is read at send time).
   */
  async rotateSecret(principal: Principal, id: string): Promise<WebhookCreatedDto> {
    const secret = newSigningSecret();
    return this.db.transaction(async (m) => {
      const before = await this.load(m, principal, id, true);
      const [[row]] = (await m.query(
        `UPDATE webhook_endpoint SET secret_sealed = $2, secret_hint = $3,
                version = version + 1, updated_at = now()
          WHERE id = $1 RETURNING ${COLUMNS}`,
        [id, this.secrets.seal(secret, id), `…${secret.slice(-4)}`],
      )) as [EndpointRow[], number];
      await this.audit.record(m, {
        action: 'webhook.rotate_secret',
        entityType: 'webhook_endpoint',
        entityId: id,
        entityPartyId: before.party_id,
        // Never the secret itself: only its last four characters, as the API shows them.
        before: { secretHint: before.secret_hint },
        after: { secretHint: row.secret_hint },
      });
      return { ...toDto(row), secret };
    });
  }

  async remove(principal: Principal, id: string): Promise<void> {
    await this.db.transaction(async (m) => {
      const before = await this.load(m, principal, id, true);
      await m.query(`DELETE FROM webhook_endpoint WHERE id = $1`, [id]);
      await this.audit.record(m, {
        action: 'webhook.delete',
        entityType: 'webhook_endpoint',
        entityId: id,
        entityPartyId: before.party_id,
        before: audited(before),
      });
    });
  }

  async deliveries(
    principal: Principal,
    id: string,
    query: PageQuery,
  ): Promise<Page<WebhookDeliveryDto>> {
    await this.load(this.db.manager, principal, id);
    const limit = query.limit ?? 50;
    const cursor = decodeCursor(query.cursor, 1);
    if (cursor && !UUID.test(String(cursor[0]))) throw invalidCursor();
    const rows = (await this.db.query(
      `SELECT d.id, d.event_id, e.type, d.status, d.attempts, d.next_attempt_at, d.last_error,
              d.sent_at, d.created_at,
              COALESCE((SELECT json_agg(json_build_object('attempt', a.attempt, 'startedAt', a.started_at,
                          'statusCode', a.status_code, 'durationMs', a.duration_ms, 'error', a.error,
                          'success', a.success) ORDER BY a.attempt)
                          FROM webhook_attempt a WHERE a.delivery_id = d.id), '[]'::json) AS attempt_log
         FROM notification_delivery d JOIN notification_event e ON e.id = d.event_id
        WHERE d.endpoint_id = $1 AND d.channel = 'webhook'
          ${cursor ? `AND (d.created_at, d.id) < (SELECT c.created_at, c.id FROM notification_delivery c WHERE c.id = CAST($3 AS uuid))` : ''}
        ORDER BY d.created_at DESC, d.id DESC LIMIT $2`,
      cursor ? [id, limit + 1, String(cursor[0])] : [id, limit + 1],
    )) as {
      id: string;
      event_id: string;
      type: string;
      status: string;
      attempts: number;
      next_attempt_at: Date | null;
      last_error: string | null;
      sent_at: Date | null;
      created_at: Date;
      attempt_log: WebhookDeliveryDto['attemptLog'];
    }[];
    const page = toPage(rows, limit, (r) => [r.id]);
    return {
      items: page.items.map((r) => ({
        id: r.id,
        eventId: r.event_id,
        eventType: r.type,
        status: r.status,
        attempts: r.attempts,
        nextAttemptAt: r.next_attempt_at,
        lastError: r.last_error,
        sentAt: r.sent_at,
        createdAt: r.created_at,
        attemptLog: r.attempt_log.map((a) => ({ ...a, startedAt: new Date(a.startedAt) })),
      })),
      nextCursor: page.nextCursor,
    };
  }

  /**
   * Sends a delivery again, with the same delivery id and body (a receiver that processed it
   * already recognises it), with a fresh retry window. 409 while an attempt is under way or
   * while the endpoint is disabled.
   */
  async redeliver(
    principal: Principal,
    id: string,
    deliveryId: string,
  ): Promise<{ id: string; status: string }> {
    const due = await this.db.transaction(async (m) => {
      const endpoint = await this.load(m, principal, id, true);
      const [delivery] = (await m.query(
        `SELECT id, status FROM notification_delivery
          WHERE id = $1 AND endpoint_id = $2 AND channel = 'webhook' FOR UPDATE`,
        [deliveryId, id],
      )) as { id: string; status: string }[];
      if (!delivery) throw AppException.notFound('Delivery');
      if (!endpoint.active) {
        throw new AppException('CONFLICT', 'The endpoint is disabled: enable it first', {
          active: false,
        });
      }
      if (delivery.status === 'sending') {
        throw new AppException('CONFLICT', 'An attempt is under way', { status: 'sending' });
      }
      const [[row]] = (await m.query(
        `UPDATE notification_delivery SET status = 'pending', next_attempt_at = now(),
                first_attempt_at = NULL, last_error = NULL
          WHERE id = $1 RETURNING id, attempts, next_attempt_at`,
        [deliveryId],
      )) as [{ id: string; attempts: number; next_attempt_at: Date }[], number];
      await this.audit.record(m, {
        action: 'webhook.redeliver',
        entityType: 'webhook_endpoint',
        entityId: id,
        entityPartyId: endpoint.party_id,
        metadata: { deliveryId, previousStatus: delivery.status },
      });
      return row;
    });
    await this.queue.enqueue([
      { id: due.id, attempts: due.attempts, nextAttemptAt: due.next_attempt_at },
    ]);
    return { id: due.id, status: 'pending' };
  }
}

function invalidCursor(): AppException {
  return new AppException('VALIDATION_FAILED', 'Invalid cursor', [
    { field: 'cursor', messages: ['cursor is not valid'] },
  ]);
}
