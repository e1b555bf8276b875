import 'reflect-metadata';
import { AppConfig } from './config/app-config';
import { ConfigValidationError } from './config/env.schema';
import { forceExitAfter } from './common/shutdown';

async function main(): Promise<void> {
  let config: AppConfig;
  try {
    config = AppConfig.fromEnv();
  } catch (error) {
    if (error instanceof ConfigValidationError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78);
    }
    throw error;
  }
  const { NestFactory } = await import('@nestjs/core');
  const { Logger } = await import('nestjs-pino');
  const { WorkerModule } = await import('./app.module');
  // An application context: every service and processor, no HTTP listener.
  const app = await NestFactory.createApplicationContext(WorkerModule, { bufferLogs: true });
  app.useLogger(app.get(Logger));
  forceExitAfter(config.env.SHUTDOWN_TIMEOUT_MS);
  app.enableShutdownHooks();
  await app.init();
  process.stdout.write('Worker started\n');
}

void main();
