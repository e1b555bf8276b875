import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Principal } from '../../common/access/roles';
import { AppException } from '../../common/errors';
import { assertVersion } from '../../common/versioning';
import { AuditService } from '../audit/audit.service';
import { todayUtc } from '../exchange-rates/calendar-date';
import { ExchangeRatesService } from '../exchange-rates/exchange-rates.service';
import { MatchDto, toMatchDto } from '../matching/dto/match.dto';
import { MatchSuggestion, MatchStatus } from '../matching/match-suggestion.entity';
import { MatchesService } from '../matching/matches.service';
import type { NeedStatus } from '../needs/need-lifecycle';
import type { OfferStatus } from '../offers/offer-lifecycle';
import { OutboxService } from '../outbox/outbox.service';
import { Commitment } from './commitment.entity';
import { CommitMatchDto, CommitmentDto, CommitResultDto, DeclineMatchDto } from './dto/review.dto';
import { cents, fromCents, retryOnDeadlock, sidesOf } from './match-access';
import {
  forbiddenTransition,
  MATCH_TRANSITIONS,
  MatchSide,
  MatchTransitionName,
  mayFire,
  nextMatchStatus,
} from './match-lifecycle';

export function toCommitmentDto(c: Commitment): CommitmentDto {
  return {
    id: c.id,
    matchId: c.matchId,
    needId: c.needId,
    offerId: c.offerId,
    amount: Number(c.amount),
    currency: c.currency,
    amountUsd: Number(c.amountUsd),
    usdRate: Number(c.usdRate),
    rateDate: c.rateDate,
    implementer: c.implementer,
    startDate: c.startDate,
    endDate: c.endDate,
    overCommitment: c.overCommitment,
    createdBy: c.createdBy,
    createdAt: c.createdAt,
  };
}

/** The workflow fields people change (what audit entries compare). */
const reviewed = (m: MatchSuggestion) => ({
  status: m.status,
  stateInterestAt: m.stateInterestAt,
  donorInterestAt: m.donorInterestAt,
  declineReasonCode: m.declineReasonCode,
  declineNote: m.declineNote,
  declinedBy: m.declinedBy,
});

/** Needs and offers a commitment may still be made against. */
const COMMITTABLE_NEED: readonly NeedStatus[] = ['published', 'partially_covered', 'covered'];
const COMMITTABLE_OFFER: readonly OfferStatus[] = ['active', 'paused', 'exhausted'];

type Simple = Exclude<MatchTransitionName, 'commit'>;

/**
 * The match workflow: checked transitions (404 if the caller cannot see the match, then 403,
 * then If-Match, then 409), each audited and written to the outbox in its transaction, and
 * commitments, which move the need's coverage and the offer's envelope in the same one.
 */
@Injectable()
export class MatchReviewService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly matches: MatchesService,
    private readonly rates: ExchangeRatesService,
    private readonly audit: AuditService,
    private readonly outbox: OutboxService,
  ) {}

  /** The match row locked FOR UPDATE (visibility is checked before, with the caller's rules). */
  private async lock(m: EntityManager, id: string): Promise<MatchSuggestion> {
    const match = await m
      .getRepository(MatchSuggestion)
      .createQueryBuilder('ms')
      .where('ms.id = :id', { id })
      .setLock('pessimistic_write')
      .getOne();
    if (!match) throw AppException.notFound('Match');
    return match;
  }

  private async record(
    m: EntityManager,
    name: MatchTransitionName,
    before: MatchSuggestion,
    after: MatchSuggestion,
    metadata: Record<string, unknown>,
  ): Promise<void> {
    await m.update(
      MatchSuggestion,
      { id: after.id },
      {
        status: after.status,
        version: after.version,
        stateInterestAt: after.stateInterestAt,
        donorInterestAt: after.donorInterestAt,
        declineReasonCode: after.declineReasonCode,
        declineNote: after.declineNote,
        declinedBy: after.declinedBy,
      },
    );
    await this.audit.record(m, {
      action: `match.${name}`,
      entityType: 'match',
      entityId: after.id,
      entityPartyId: after.needPartyId,
      before: reviewed(before),
      after: reviewed(after),
      metadata: { from: before.status, to: after.status, ...metadata },
    });
    await this.outbox.add(m, {
      type: name === 'commit' ? 'match.committed' : `match.${name}`,
      entityType: 'match',
      entityId: after.id,
      version: after.version,
      partyId: after.needPartyId,
    });
  }

  async transition(
    principal: Principal,
    id: string,
    name: Simple,
    ifMatch: string | undefined,
    decline?: DeclineMatchDto,
  ): Promise<MatchDto> {
    await this.matches.get(principal, id); // 404 before anything else
    return this.db.transaction(async (m) => {
      const match = await this.lock(m, id);
      const sides = sidesOf(principal, match);
      if (!mayFire(name, sides)) throw forbiddenTransition(name);
      assertVersion(ifMatch, match.version);
      let to = nextMatchStatus(match.status, name);
      const before = { ...match };
      const metadata: Record<string, unknown> = {};
      if (name === 'interest') {
        const side = this.interestSide(match, sides);
        const now = new Date();
        if (side === 'state') match.stateInterestAt = now;
        else match.donorInterestAt = now;
        metadata.side = side;
        if (!(match.stateInterestAt && match.donorInterestAt)) to = match.status;
      }
      if (name === 'decline' && decline) {
        const by: MatchSide = sides.includes('state')
          ? 'state'
          : sides.includes('donor')
            ? 'donor'
            : 'secretariat';
        match.declineReasonCode = decline.reasonCode;
        match.declineNote = decline.note ?? null;
        match.declinedBy = by;
        Object.assign(metadata, { reasonCode: decline.reasonCode, side: by });
      }
      match.status = to;
      match.version += 1;
      await this.record(m, name, before, match, metadata);
      return toMatchDto(match);
    });
  }

  /** The side whose interest this call records; 409 when the caller's side(s) already did. */
  private interestSide(match: MatchSuggestion, sides: MatchSide[]): 'state' | 'donor' {
    if (sides.includes('state') && !match.stateInterestAt) return 'state';
    if (sides.includes('donor') && !match.donorInterestAt) return 'donor';
    throw new AppException('CONFLICT', 'Your side has already expressed interest in this match', {
      stateInterestAt: match.stateInterestAt,
      donorInterestAt: match.donorInterestAt,
    });
  }

  /**
   * `agreed` → `committed` by the donor side, in one transaction with the need and the offer
   * locked (need first, then offer, then the match: one order everywhere, no deadlock between
   * commitments). Beyond the need's uncovered cost or the offer's remaining envelope → 409,
   * unless the secretariat commits on the donor's behalf with `confirmOverCommitment`.
   */
  async commit(
    principal: Principal,
    id: string,
    input: CommitMatchDto,
    ifMatch: string | undefined,
  ): Promise<CommitResultDto> {
    await this.matches.get(principal, id); // 404 before anything else
    const amount = input.amount.toFixed(2);
    return retryOnDeadlock(() =>
      this.db.transaction(async (m) => {
        const [pair] = (await m.query(
          `SELECT need_id, offer_id FROM match_suggestion WHERE id = $1`,
          [id],
        )) as { need_id: string; offer_id: string }[];
        if (!pair) throw AppException.notFound('Match');
        const [need] = (await m.query(
          `SELECT id, party_id, status, estimated_usd, covered_usd, version FROM need WHERE id = $1 FOR UPDATE`,
          [pair.need_id],
        )) as {
          id: string;
          party_id: string;
          status: NeedStatus;
          estimated_usd: string;
          covered_usd: string;
          version: number;
        }[];
        const [offer] = (await m.query(
          `SELECT id, party_id, status, total_usd, committed_usd, version FROM offer WHERE id = $1 FOR UPDATE`,
          [pair.offer_id],
        )) as {
          id: string;
          party_id: string;
          status: OfferStatus;
          total_usd: string;
          committed_usd: string;
          version: number;
        }[];
        const match = await this.lock(m, id);
        const sides = sidesOf(principal, match);
        const secretariatConfirms =
          sides.includes('secretariat') && input.confirmOverCommitment === true;
        if (!mayFire('commit', sides) && !secretariatConfirms) {
          throw new AppException(
            'FORBIDDEN',
            "Only the offer's donor (its focal points) may commit; the secretariat may commit on its behalf only to confirm an over-commitment (confirmOverCommitment: true)",
            { transition: 'commit', allowedActors: MATCH_TRANSITIONS.commit.actors },
          );
        }
        assertVersion(ifMatch, match.version);
        const to = nextMatchStatus(match.status, 'commit');
        if (!COMMITTABLE_NEED.includes(need.status)) {
          throw new AppException(
            'CONFLICT',
            `The need is ${need.status}: nothing can be committed`,
            {
              needStatus: need.status,
            },
          );
        }
        if (!COMMITTABLE_OFFER.includes(offer.status)) {
          throw new AppException(
            'CONFLICT',
            `The offer is ${offer.status}: nothing can be committed from it`,
            { offerStatus: offer.status },
          );
        }
        const usd = await this.rates.toUsd(m, amount, input.currency, todayUtc(), 'currency');
        const amountC = cents(usd.usd);
        const uncoveredC = Math.max(0, cents(need.estimated_usd) - cents(need.covered_usd));
        const remainingC = cents(offer.total_usd) - cents(offer.committed_usd);
        const overNeed = amountC > uncoveredC;
        const overOffer = amountC > remainingC;
        if ((overNeed || overOffer) && !secretariatConfirms) {
          const what = [
            overNeed ? "the need's uncovered cost" : null,
            overOffer ? "the offer's remaining envelope" : null,
          ]
            .filter(Boolean)
            .join(' and ');
          throw new AppException(
            'CONFLICT',
            `USD ${fromCents(amountC)} is more than ${what}; only the secretariat may confirm an over-commitment`,
            {
              amountUsd: Number(fromCents(amountC)),
              uncoveredUsd: Number(fromCents(uncoveredC)),
              remainingUsd: Number(fromCents(remainingC)),
              overNeed,
              overOffer,
            },
          );
        }

        // The need: covered amount and status.
        const coveredC = cents(need.covered_usd) + amountC;
        const needStatus: NeedStatus =
          need.status === 'covered' || coveredC >= cents(need.estimated_usd)
            ? 'covered'
            : 'partially_covered';
        const needVersion = need.version + 1;
        await m.query(
          `UPDATE need SET covered_usd = $2, status = $3, version = $4, updated_at = now() WHERE id = $1`,
          [need.id, fromCents(coveredC), needStatus, needVersion],
        );
        // The offer: committed amount, exhausted once the envelope is spent.
        const committedC = cents(offer.committed_usd) + amountC;
        const remainingAfterC = cents(offer.total_usd) - committedC;
        const offerStatus: OfferStatus =
          remainingAfterC <= 0 && offer.status !== 'exhausted' ? 'exhausted' : offer.status;
        const offerVersion = offer.version + 1;
        await m.query(
          `UPDATE offer SET committed_usd = $2, status = $3, version = $4, updated_at = now() WHERE id = $1`,
          [offer.id, fromCents(committedC), offerStatus, offerVersion],
        );
        const commitment = await m.save(
          m.create(Commitment, {
            matchId: match.id,
            needId: need.id,
            offerId: offer.id,
            amount,
            currency: input.currency,
            amountUsd: usd.usd,
            usdRate: usd.rate,
            rateDate: usd.rateDate,
            implementer: input.implementer,
            startDate: input.startDate,
            endDate: input.endDate,
            overCommitment: overNeed || overOffer,
            createdBy: principal.userId,
          }),
        );
        await this.audit.record(m, {
          action: 'commitment.create',
          entityType: 'commitment',
          entityId: commitment.id,
          entityPartyId: offer.party_id,
          after: toCommitmentDto(commitment),
          metadata: {
            matchId: match.id,
            overCommitment: commitment.overCommitment,
            onBehalfOfDonor: !sides.includes('donor'),
          },
        });
        await this.audit.record(m, {
          action: 'need.commitment',
          entityType: 'need',
          entityId: need.id,
          entityPartyId: need.party_id,
          before: { status: need.status, coveredUsd: need.covered_usd },
          after: { status: needStatus, coveredUsd: fromCents(coveredC) },
          metadata: { commitmentId: commitment.id },
        });
        await this.audit.record(m, {
          action: 'offer.commitment',
          entityType: 'offer',
          entityId: offer.id,
          entityPartyId: offer.party_id,
          before: { status: offer.status, committedUsd: offer.committed_usd },
          after: { status: offerStatus, committedUsd: fromCents(committedC) },
          metadata: { commitmentId: commitment.id },
        });
        await this.outbox.add(m, {
          type: 'need.updated',
          entityType: 'need',
          entityId: need.id,
          version: needVersion,
          partyId: need.party_id,
        });
        await this.outbox.add(m, {
          type: 'offer.updated',
          entityType: 'offer',
          entityId: offer.id,
          version: offerVersion,
          partyId: offer.party_id,
        });
        const before = { ...match };
        match.status = to as MatchStatus;
        match.version += 1;
        await this.record(m, 'commit', before, match, { commitmentId: commitment.id });
        return {
          match: toMatchDto(match),
          commitment: toCommitmentDto(commitment),
          need: {
            id: need.id,
            status: needStatus,
            estimatedCostUsd: Number(need.estimated_usd),
            coveredUsd: Number(fromCents(coveredC)),
            version: needVersion,
          },
          offer: {
            id: offer.id,
            status: offerStatus,
            totalUsd: Number(offer.total_usd),
            committedUsd: Number(fromCents(committedC)),
            remainingUsd: Number(fromCents(remainingAfterC)),
            version: offerVersion,
          },
        };
      }),
    );
  }

  async commitments(principal: Principal, id: string): Promise<CommitmentDto[]> {
    await this.matches.get(principal, id);
    const rows = await this.db
      .getRepository(Commitment)
      .find({ where: { matchId: id }, order: { createdAt: 'ASC', id: 'ASC' } });
    return rows.map(toCommitmentDto);
  }
}
