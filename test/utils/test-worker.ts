import { Test, TestingModule } from '@nestjs/testing';
import { WorkerModule } from '../../src/app.module';
import { AppConfig } from '../../src/config/app-config';

/** Boots the real worker module graph (processors, no HTTP) with the given configuration. */
export async function bootTestWorker(config: AppConfig): Promise<TestingModule> {
  const moduleRef = await Test.createTestingModule({ imports: [WorkerModule] })
    .overrideProvider(AppConfig)
    .useValue(config)
    .compile();
  // Quiet like the test API (pino at LOG_LEVEL); TEST_LOG_LEVEL=debug brings the logs back.
  if (!process.env.TEST_LOG_LEVEL) moduleRef.useLogger(false);
  moduleRef.enableShutdownHooks();
  await moduleRef.init();
  return moduleRef;
}
