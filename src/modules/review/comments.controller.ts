import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import { Authenticated } from '../../common/access/access.decorators';
import { CurrentPrincipal } from '../../common/access/current-principal.decorator';
import type { Principal } from '../../common/access/roles';
import { IdPipe } from '../../common/id.pipe';
import { Page, PageQuery } from '../../common/pagination';
import { CommentsService } from './comments.service';
import { CommentBodyDto, CommentDto, CommentPageDto } from './dto/review.dto';

const notVisible = () =>
  ApiNotFoundResponse({ description: 'No such match (or comment), or not visible to the caller' });

/** A discussion per match for its two parties and the secretariat. */
@ApiTags('matches')
@Controller('matches/:id/comments')
export class CommentsController {
  constructor(private readonly comments: CommentsService) {}

  /** Oldest first; deleted comments stay in place as "[deleted]". */
  @Get()
  @Authenticated()
  @ApiOkResponse({ type: CommentPageDto })
  @ApiForbiddenResponse({ description: 'Neither party of the match nor the secretariat' })
  @notVisible()
  list(
    @CurrentPrincipal() principal: Principal,
    @Param('id', IdPipe) id: string,
    @Query() query: PageQuery,
  ): Promise<Page<CommentDto>> {
    return this.comments.list(principal, id, query);
  }

  @Post()
  @Authenticated()
  @ApiCreatedResponse({ type: CommentDto })
  @ApiBadRequestResponse({ description: 'body missing or longer than 5000 characters' })
  @ApiForbiddenResponse({ description: 'Neither party of the match nor the secretariat' })
  @notVisible()
  add(
    @CurrentPrincipal() principal: Principal,
    @Param('id', IdPipe) id: string,
    @Body() body: CommentBodyDto,
  ): Promise<CommentDto> {
    return this.comments.add(principal, id, body.body);
  }

  /** The author edits a comment (audited with the previous text). */
  @Patch(':commentId')
  @Authenticated()
  @ApiOkResponse({ type: CommentDto })
  @ApiBadRequestResponse({ description: 'body missing or too long' })
  @ApiForbiddenResponse({ description: 'Not the author' })
  @ApiConflictResponse({ description: 'The comment was deleted' })
  @notVisible()
  edit(
    @CurrentPrincipal() principal: Principal,
    @Param('id', IdPipe) id: string,
    @Param('commentId', IdPipe) commentId: string,
    @Body() body: CommentBodyDto,
  ): Promise<CommentDto> {
    return this.comments.edit(principal, id, commentId, body.body);
  }

  /** The author deletes a comment: it then reads "[deleted]" (audited). */
  @Delete(':commentId')
  @HttpCode(204)
  @Authenticated()
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiForbiddenResponse({ description: 'Not the author' })
  @ApiConflictResponse({ description: 'Already deleted' })
  @notVisible()
  async remove(
    @CurrentPrincipal() principal: Principal,
    @Param('id', IdPipe) id: string,
    @Param('commentId', IdPipe) commentId: string,
  ): Promise<void> {
    await this.comments.remove(principal, id, commentId);
  }
}
