import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ReferenceModule } from '../reference/reference.module';
import { MatchSuggestion } from './match-suggestion.entity';
import { MatchesController } from './matches.controller';
import { MatchesService } from './matches.service';
import { MatchingJobsService } from './matching-jobs.service';
import { MatchingService } from './matching.service';
import { OfferIndexService } from './offer-index.service';
import { RematchProgressService } from './rematch-progress.service';
import { RematchStore } from './rematch-store';

/** Suggestions: computing them (MatchingService) and reading them (MatchesService). */
@Module({
  imports: [TypeOrmModule.forFeature([MatchSuggestion]), ReferenceModule],
  controllers: [MatchesController],
  providers: [
    MatchingService,
    MatchesService,
    MatchingJobsService,
    OfferIndexService,
    RematchStore,
    RematchProgressService,
  ],
  exports: [
    MatchingService,
    MatchingJobsService,
    MatchesService,
    OfferIndexService,
    RematchProgressService,
    RematchStore,
  ],
})
export class MatchingModule {}
