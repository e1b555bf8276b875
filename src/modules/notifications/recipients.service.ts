import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import type { Principal, Role } from '../../common/access/roles';
import { canSeeNeed } from '../needs/need-visibility';
import type { AudienceSide } from './notification-types';

/** Who should hear of an event, in terms of sides (resolved to users and parties here). */
export interface Audience {
  sides: AudienceSide[];
  /** The need concerned: its State is the `state` side, and the others must be able to see it. */
  needId?: string | null;
  /** The offer's party: the `donor` side. */
  offerPartyId?: string | null;
  /** The party of the `party` side. */
  partyId?: string | null;
  /** Never notified (the user who acted). */
  excludeUserIds?: (string | null)[];
}

export interface Recipient {
  id: string;
  email: string;
  name: string;
  language: string;
  partyId: string;
  roles: Role[];
}

interface NeedRow {
  party_id: string;
  status: string;
  visibility: string;
  consent_status: string | null;
}

const USERS = `SELECT u.id, u.email, u.name, u.language, u.party_id AS "partyId", u.roles
                 FROM app_user u JOIN party p ON p.id = u.party_id
                WHERE u.active AND p.active`;

const asPrincipal = (partyId: string, roles: Role[]): Principal => ({
  kind: 'user',
  userId: null,
  partyId,
  partyType: null,
  roles,
});

/**
 * Resolves an audience to active users of active parties, by role, and to the parties whose
 * webhooks hear of it. Nobody who may not see the need is included: the donor side passes the
 * same visibility rule the API applies (tiers, private statuses, consent still pending).
 */
@Injectable()
export class RecipientsService {
  private async need(m: EntityManager, id: string | null | undefined): Promise<NeedRow | null> {
    if (!id) return null;
    const [row] = (await m.query(
      `SELECT party_id, status, visibility, consent_status FROM need WHERE id = $1`,
      [id],
    )) as NeedRow[];
    return row ?? null;
  }

  private static sees(need: NeedRow | null, partyId: string, roles: Role[]): boolean {
    if (!need) return true;
    return canSeeNeed(asPrincipal(partyId, roles), {
      partyId: need.party_id,
      status: need.status,
      visibility: need.visibility,
      consentStatus: need.consent_status,
    });
  }

  async users(m: EntityManager, audience: Audience): Promise<Recipient[]> {
    const need = await this.need(m, audience.needId);
    const found = new Map<string, Recipient>();
    const add = (rows: Recipient[]) => rows.forEach((r) => found.set(r.id, r));
    const sides = new Set(audience.sides);
    if (sides.has('state') && need) {
      add(
        await m.query(`${USERS} AND u.party_id = $1 AND 'national_contact' = ANY(u.roles)`, [
          need.party_id,
        ]),
      );
    }
    if (sides.has('donor') && audience.offerPartyId) {
      const donors: Recipient[] = await m.query(
        `${USERS} AND u.party_id = $1 AND 'donor_focal_point' = ANY(u.roles)`,
        [audience.offerPartyId],
      );
      add(donors.filter((u) => RecipientsService.sees(need, u.partyId, u.roles)));
    }
    if (sides.has('secretariat')) add(await m.query(`${USERS} AND 'secretariat' = ANY(u.roles)`));
    if (sides.has('party') && audience.partyId) {
      const members: Recipient[] = await m.query(`${USERS} AND u.party_id = $1`, [
        audience.partyId,
      ]);
      add(members.filter((u) => RecipientsService.sees(need, u.partyId, u.roles)));
    }
    for (const id of audience.excludeUserIds ?? []) if (id) found.delete(id);
    return [...found.values()].sort((a, b) => a.id.localeCompare(b.id));
  }

  /** Parties whose webhook endpoints hear of the event (the acting party included). */
  async parties(m: EntityManager, audience: Audience): Promise<string[]> {
    const need = await this.need(m, audience.needId);
    const parties = new Set<string>();
    const sides = new Set(audience.sides);
    if (sides.has('state') && need) parties.add(need.party_id);
    if (
      sides.has('donor') &&
      audience.offerPartyId &&
      RecipientsService.sees(need, audience.offerPartyId, ['donor_focal_point'])
    ) {
      parties.add(audience.offerPartyId);
    }
    if (sides.has('secretariat')) {
      const rows: { party_id: string }[] = await m.query(
        `SELECT DISTINCT u.party_id FROM app_user u JOIN party p ON p.id = u.party_id
          WHERE u.active AND p.active AND 'secretariat' = ANY(u.roles)`,
      );
      rows.forEach((r) => parties.add(r.party_id));
    }
    if (!parties.size) return [];
    const active: { id: string }[] = await m.query(
      `SELECT id FROM party WHERE active AND id = ANY($1::uuid[])`,
      [[...parties]],
    );
    return active.map((r) => r.id).sort();
  }
}
