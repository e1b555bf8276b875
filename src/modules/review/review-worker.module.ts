import { Module } from '@nestjs/common';
import { ReleaseConsentProcessor } from './jobs/release-consent.processor';
import { ReviewModule } from './review.module';
import { ReviewWorkerService } from './review-worker.service';

/** Worker only: the consent-release processor and its schedule. */
@Module({
  imports: [ReviewModule],
  providers: [ReleaseConsentProcessor, ReviewWorkerService],
})
export class ReviewWorkerModule {}
