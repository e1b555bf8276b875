import { Module } from '@nestjs/common';
import { FEATURE_MODULES } from './app.module';
import { CoreModule } from './core.module';
import { DemoDataService } from './database/demo/demo-data.service';

/** What operator commands need: the shared core and the feature services; no HTTP, no processors. */
@Module({ imports: [CoreModule, ...FEATURE_MODULES], providers: [DemoDataService] })
export class CliModule {}
