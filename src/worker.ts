import 'reflect-metadata';
import { loadConfigOrExit } from './config/app-config';
import { forceExitAfter } from './common/shutdown';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
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
