import 'reflect-metadata';
import { loadConfigOrExit } from './config/app-config';
import { forceExitAfter } from './common/shutdown';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  // Imported after validation so that a bad environment stops before any module loads.
  const { createApi } = await import('./bootstrap');
  forceExitAfter(config.env.SHUTDOWN_TIMEOUT_MS);
  const app = await createApi();
  await app.listen(config.env.PORT, config.env.HOST);
  const url = await app.getUrl();
  process.stdout.write(
    `API listening on ${url.replace('[::1]', 'localhost')} — docs at ${config.env.PUBLIC_BASE_URL}/docs\n`,
  );
}

void main();
