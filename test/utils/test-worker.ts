import { Test, TestingModule } from '@nestjs/testing';
import { WorkerModule } from '../../src/app.module';
import { AppConfig } from '../../src/config/app-config';

/** Boots the real worker module graph (processors, no HTTP) with the given configuration. */
export async function bootTestWorker(config: AppConfig): Promise<TestingModule> {
  const moduleRef = await Test.createTestingModule({ imports: [WorkerModule] })
    .overrideProvider(AppConfig)
    .useValue(config)
    .compile();
  moduleRef.enableShutdownHooks();
  await moduleRef.init();
  return moduleRef;
}
