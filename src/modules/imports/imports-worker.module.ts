import { Module } from '@nestjs/common';
import { ImportsModule } from './imports.module';
import { RunImportProcessor } from './jobs/run-import.processor';

/** Worker only: the import processor. */
@Module({ imports: [ImportsModule], providers: [RunImportProcessor] })
export class ImportsWorkerModule {}
