import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Principal } from '../../common/access/roles';
import { AppException } from '../../common/errors';
import { decodeCursor, Page, PageQuery, toPage } from '../../common/pagination';
import { AuditService } from '../audit/audit.service';
import { MatchSuggestion } from '../matching/match-suggestion.entity';
import { MatchesService } from '../matching/matches.service';
import { OutboxService } from '../outbox/outbox.service';
import { CommentDto } from './dto/review.dto';
import { isMatchMember } from './match-access';
import { MatchComment } from './match-comment.entity';

export const DELETED_BODY = '[deleted]';

export function toCommentDto(c: MatchComment): CommentDto {
  const deleted = c.deletedAt !== null;
  return {
    id: c.id,
    matchId: c.matchId,
    authorUserId: c.authorUserId,
    authorPartyId: c.authorPartyId,
    body: deleted ? DELETED_BODY : c.body,
    deleted,
    editedAt: c.editedAt,
    createdAt: c.createdAt,
  };
}

/**
 * The discussion of a match, for its two parties and the secretariat: 404 when the caller
 * cannot see the match (the match rules), 403 when it can but is neither party nor the
 * secretariat. Only the author edits or deletes; deletion keeps the row and shows "[deleted]".
 */
@Injectable()
export class CommentsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly matches: MatchesService,
    private readonly audit: AuditService,
    private readonly outbox: OutboxService,
  ) {}

  private async member(principal: Principal, matchId: string): Promise<MatchSuggestion> {
    const match = await this.matches.get(principal, matchId);
    if (!isMatchMember(principal, match)) {
      throw new AppException(
        'FORBIDDEN',
        'Only the two parties of the match and the secretariat take part in its discussion',
      );
    }
    return match;
  }

  async list(principal: Principal, matchId: string, query: PageQuery): Promise<Page<CommentDto>> {
    await this.member(principal, matchId);
    const limit = query.limit ?? 50;
    const qb = this.db
      .getRepository(MatchComment)
      .createQueryBuilder('c')
      .where('c.match_id = :matchId', { matchId })
      .orderBy('c.created_at', 'ASC')
      .addOrderBy('c.id', 'ASC')
      .limit(limit + 1);
    // The cursor names the last comment seen; its stored timestamp keeps full precision.
    const cursor = decodeCursor(query.cursor, 1);
    if (cursor) {
      qb.andWhere(
        '(c.created_at, c.id) > (SELECT p.created_at, p.id FROM match_comment p WHERE p.id = CAST(:cId AS uuid))',
        { cId: String(cursor[0]) },
      );
    }
    const page = toPage(await qb.getMany(), limit, (c) => [c.id]);
    return { items: page.items.map(toCommentDto), nextCursor: page.nextCursor };
  }

  private async event(m: EntityManager, match: MatchSuggestion, type: string): Promise<void> {
    await this.outbox.add(m, {
      type,
      entityType: 'match',
      entityId: match.id,
      version: match.version,
      partyId: match.needPartyId,
    });
  }

  async add(principal: Principal, matchId: string, body: string): Promise<CommentDto> {
    const match = await this.member(principal, matchId);
    return this.db.transaction(async (m) => {
      const comment = await m.save(
        m.create(MatchComment, {
          matchId,
          authorUserId: principal.userId,
          authorPartyId: principal.partyId,
          body,
          editedAt: null,
          deletedAt: null,
        }),
      );
      await this.audit.record(m, {
        action: 'match_comment.create',
        entityType: 'match_comment',
        entityId: comment.id,
        entityPartyId: match.needPartyId,
        after: { body },
        metadata: { matchId },
      });
      await this.event(m, match, 'match.comment_added');
      return toCommentDto(comment);
    });
  }

  /** The comment locked, 404 if absent, 403 unless the caller wrote it, 409 once deleted. */
  private async own(
    m: EntityManager,
    principal: Principal,
    matchId: string,
    commentId: string,
  ): Promise<MatchComment> {
    const comment = await m
      .getRepository(MatchComment)
      .createQueryBuilder('c')
      .where('c.id = :commentId AND c.match_id = :matchId', { commentId, matchId })
      .setLock('pessimistic_write')
      .getOne();
    if (!comment) throw AppException.notFound('Comment');
    if (!principal.userId || comment.authorUserId !== principal.userId) {
      throw new AppException('FORBIDDEN', 'Only the author may change or delete a comment');
    }
    if (comment.deletedAt) throw new AppException('CONFLICT', 'The comment was deleted');
    return comment;
  }

  async edit(
    principal: Principal,
    matchId: string,
    commentId: string,
    body: string,
  ): Promise<CommentDto> {
    const match = await this.member(principal, matchId);
    return this.db.transaction(async (m) => {
      const comment = await this.own(m, principal, matchId, commentId);
      const before = { body: comment.body };
      comment.body = body;
      comment.editedAt = new Date();
      await m.save(comment);
      await this.audit.record(m, {
        action: 'match_comment.edit',
        entityType: 'match_comment',
        entityId: comment.id,
        entityPartyId: match.needPartyId,
        before,
        after: { body },
        metadata: { matchId },
      });
      await this.event(m, match, 'match.comment_edited');
      return toCommentDto(comment);
    });
  }

  async remove(principal: Principal, matchId: string, commentId: string): Promise<void> {
    const match = await this.member(principal, matchId);
    await this.db.transaction(async (m) => {
      const comment = await this.own(m, principal, matchId, commentId);
      comment.deletedAt = new Date();
      await m.save(comment);
      await this.audit.record(m, {
        action: 'match_comment.delete',
        entityType: 'match_comment',
        entityId: comment.id,
        entityPartyId: match.needPartyId,
        before: { body: comment.body, deleted: false },
        after: { body: DELETED_BODY, deleted: true },
        metadata: { matchId },
      });
      await this.event(m, match, 'match.comment_deleted');
    });
  }
}
