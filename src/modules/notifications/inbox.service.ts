import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Principal } from '../../common/access/roles';
import { AppException } from '../../common/errors';
import { decodeCursor, Page, toPage } from '../../common/pagination';
import { AuditService } from '../audit/audit.service';
import type { NotificationDto, NotificationQueryDto } from './dto/notification.dto';

/** Notifications belong to a person: the signed-in user, or the user an API key acts for. */
export function requireUser(principal: Principal): string {
  if (!principal.userId) {
    throw new AppException('FORBIDDEN', 'Notifications belong to a user; this caller has none');
  }
  return principal.userId;
}

interface Row {
  id: string;
  type: string;
  entity_type: string;
  entity_id: string | null;
  title: string;
  body: string;
  link: string | null;
  read_at: Date | null;
  created_at: Date;
}

const toDto = (r: Row): NotificationDto => ({
  id: r.id,
  eventType: r.type,
  entityType: r.entity_type,
  entityId: r.entity_id,
  title: r.title,
  body: r.body,
  link: r.link,
  readAt: r.read_at,
  createdAt: r.created_at,
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const SELECT = `SELECT d.id, e.type, e.entity_type, e.entity_id, d.title, d.body, d.link, d.read_at, d.created_at
                  FROM notification_delivery d JOIN notification_event e ON e.id = d.event_id`;

/** The in-app channel: each user's own notifications, unread first, newest first. */
@Injectable()
export class InboxService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditService,
  ) {}

  async list(principal: Principal, query: NotificationQueryDto): Promise<Page<NotificationDto>> {
    const userId = requireUser(principal);
    const limit = query.limit ?? 50;
    const params: unknown[] = [userId, limit + 1];
    let where = `d.user_id = $1 AND d.channel = 'in_app'`;
    if (query.unread) where += ` AND d.read_at IS NULL`;
    const cursor = decodeCursor(query.cursor, 1);
    if (cursor && !UUID.test(String(cursor[0]))) {
      throw new AppException('VALIDATION_FAILED', 'Invalid cursor', [
        { field: 'cursor', messages: ['cursor is not valid'] },
      ]);
    }
    if (cursor) {
      // Keyset on (read?, created_at DESC, id DESC), from the row the cursor names.
      params.push(String(cursor[0]));
      where += ` AND EXISTS (SELECT 1 FROM notification_delivery c
                   WHERE c.id = CAST($3 AS uuid) AND c.user_id = $1 AND (
                     (d.read_at IS NOT NULL)::int > (c.read_at IS NOT NULL)::int OR
                     ((d.read_at IS NOT NULL) = (c.read_at IS NOT NULL) AND (d.created_at, d.id) < (c.created_at, c.id))))`;
    }
    const rows: Row[] = await this.db.query(
      `${SELECT} WHERE ${where}
        ORDER BY (d.read_at IS NOT NULL) ASC, d.created_at DESC, d.id DESC LIMIT $2`,
      params,
    );
    const page = toPage(rows, limit, (r) => [r.id]);
    return { items: page.items.map(toDto), nextCursor: page.nextCursor };
  }

  async unreadCount(principal: Principal): Promise<{ count: number }> {
    const [row] = (await this.db.query(
      `SELECT count(*)::int AS count FROM notification_delivery
        WHERE user_id = $1 AND channel = 'in_app' AND read_at IS NULL`,
      [requireUser(principal)],
    )) as { count: number }[];
    return { count: row.count };
  }

  /** Marks one of the caller's notifications read (idempotent); 404 for anyone else's. */
  async read(principal: Principal, id: string): Promise<NotificationDto> {
    const userId = requireUser(principal);
    return this.db.transaction(async (m) => {
      const [[updated]] = (await m.query(
        `UPDATE notification_delivery SET read_at = now()
          WHERE id = $1 AND user_id = $2 AND channel = 'in_app' AND read_at IS NULL
          RETURNING id`,
        [id, userId],
      )) as [{ id: string }[], number];
      const [row] = (await m.query(
        `${SELECT} WHERE d.id = $1 AND d.user_id = $2 AND d.channel = 'in_app'`,
        [id, userId],
      )) as Row[];
      if (!row) throw AppException.notFound('Notification');
      if (updated) {
        await this.audit.record(m, {
          action: 'notification.read',
          entityType: 'notification',
          entityId: id,
          entityPartyId: principal.partyId,
        });
      }
      return toDto(row);
    });
  }

  async readAll(principal: Principal): Promise<{ count: number }> {
    const userId = requireUser(principal);
    return this.db.transaction(async (m) => {
      const [, count] = (await m.query(
        `UPDATE notification_delivery SET read_at = now()
          WHERE user_id = $1 AND channel = 'in_app' AND read_at IS NULL`,
        [userId],
      )) as [unknown, number];
      if (count) {
        await this.audit.record(m, {
          action: 'notification.read_all',
          entityType: 'user',
          entityId: userId,
          entityPartyId: principal.partyId,
          metadata: { count },
        });
      }
      return { count };
    });
  }
}
