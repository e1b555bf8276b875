import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { MatchingModule } from '../matching/matching.module';
import { Commitment } from './commitment.entity';
import { CommentsController } from './comments.controller';
import { CommentsService } from './comments.service';
import { ConsentController } from './consent.controller';
import { ConsentService } from './consent.service';
import { MatchComment } from './match-comment.entity';
import { MatchReviewController } from './match-review.controller';
import { MatchReviewService } from './match-review.service';
import { PipelineController } from './pipeline.controller';
import { PipelineService } from './pipeline.service';

/**
 * Reviewing matches (issue 8): the workflow from suggestion to delivery, commitments,
 * consent before circulation, the discussion per match and the pipeline views.
 * (ExchangeRatesModule, AuditModule and OutboxModule are global.)
 */
@Module({
  imports: [TypeOrmModule.forFeature([Commitment, MatchComment]), MatchingModule],
  controllers: [MatchReviewController, CommentsController, ConsentController, PipelineController],
  providers: [MatchReviewService, CommentsService, ConsentService, PipelineService],
  exports: [ConsentService, MatchReviewService],
})
export class ReviewModule {}
