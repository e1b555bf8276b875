import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { Principal } from '../../common/access/roles';
import { AuditService } from '../audit/audit.service';
import type { PreferenceDto, UpdatePreferencesDto } from './dto/notification.dto';
import {
  ChannelPreference,
  defaultPreference,
  NOTIFICATION_TYPE_NAMES,
  NotificationType,
} from './notification-types';
import { requireUser } from './inbox.service';

interface Row {
  user_id: string;
  event_type: string;
  in_app: boolean;
  email: boolean;
  email_mode: 'immediate' | 'digest';
}

const toPref = (r: Row): ChannelPreference => ({
  inApp: r.in_app,
  email: r.email,
  emailMode: r.email_mode,
});

/**
 * Each user's channels per event type (in-app, e-mail; webhooks are per party, chosen on the
 * endpoint) and whether e-mail goes out at once or in the daily digest. Unset types use the
 * defaults of the catalogue.
 */
@Injectable()
export class PreferencesService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditService,
  ) {}

  async forUsers(
    m: EntityManager,
    userIds: string[],
    type: NotificationType,
  ): Promise<Map<string, ChannelPreference>> {
    const out = new Map(userIds.map((id) => [id, defaultPreference(type)]));
    if (!userIds.length) return out;
    const rows: Row[] = await m.query(
      `SELECT user_id, event_type, in_app, email, email_mode FROM notification_preference
        WHERE user_id = ANY($1::uuid[]) AND event_type = $2`,
      [userIds, type],
    );
    for (const r of rows) out.set(r.user_id, toPref(r));
    return out;
  }

  private async all(m: EntityManager, userId: string): Promise<PreferenceDto[]> {
    const rows: Row[] = await m.query(
      `SELECT user_id, event_type, in_app, email, email_mode FROM notification_preference WHERE user_id = $1`,
      [userId],
    );
    const stored = new Map(rows.map((r) => [r.event_type, toPref(r)]));
    return NOTIFICATION_TYPE_NAMES.map((eventType) => ({
      eventType,
      ...(stored.get(eventType) ?? defaultPreference(eventType)),
    }));
  }

  async get(principal: Principal): Promise<{ preferences: PreferenceDto[] }> {
    return { preferences: await this.all(this.db.manager, requireUser(principal)) };
  }

  async update(
    principal: Principal,
    input: UpdatePreferencesDto,
  ): Promise<{ preferences: PreferenceDto[] }> {
    const userId = requireUser(principal);
    return this.db.transaction(async (m) => {
      const before = await this.all(m, userId);
      const current = new Map(before.map((p) => [p.eventType, p]));
      for (const change of input.preferences) {
        const now = current.get(change.eventType)!;
        const next = {
          inApp: change.inApp ?? now.inApp,
          email: change.email ?? now.email,
          emailMode: change.emailMode ?? now.emailMode,
        };
        await m.query(
          `INSERT INTO notification_preference (user_id, event_type, in_app, email, email_mode)
           VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (user_id, event_type) DO UPDATE SET in_app = EXCLUDED.in_app,
             email = EXCLUDED.email, email_mode = EXCLUDED.email_mode, updated_at = now()`,
          [userId, change.eventType, next.inApp, next.email, next.emailMode],
        );
        current.set(change.eventType, { eventType: change.eventType, ...next });
      }
      const after = [...current.values()];
      await this.audit.record(m, {
        action: 'notification_preferences.update',
        entityType: 'user',
        entityId: userId,
        entityPartyId: principal.partyId,
        before: Object.fromEntries(before.map((p) => [p.eventType, p])),
        after: Object.fromEntries(after.map((p) => [p.eventType, p])),
      });
      return { preferences: after };
    });
  }
}
