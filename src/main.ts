import 'reflect-metadata';
import cluster from 'node:cluster';
import { loadConfigOrExit } from './config/app-config';
import { forceExitAfter } from './common/shutdown';

async function serve(): Promise<void> {
  const config = loadConfigOrExit();
  // Imported after validation so that a bad environment stops before any module loads.
  const { createApi } = await import('./bootstrap');
  forceExitAfter(config.env.SHUTDOWN_TIMEOUT_MS);
  const app = await createApi();
  await app.listen(config.env.PORT, config.env.HOST);
  if (cluster.isWorker) return;
  const url = await app.getUrl();
  process.stdout.write(
    `API listening on ${url.replace('[::1]', 'localhost')} — docs at ${config.env.PUBLIC_BASE_URL}/docs\n`,
  );
}

/**
 * API_WORKERS > 1: a primary process forks that many API processes sharing the port
 * (node:cluster), replaces one that dies, and stops them all on SIGTERM/SIGINT (each drains
 * its requests, as a single API process does).
 */
function supervise(workers: number): void {
  const config = loadConfigOrExit();
  let stopping = false;
  let listening = 0;
  let alive = 0;
  const ready = new Set<number>();
  cluster.on('listening', (worker) => {
    ready.add(worker.id);
    if (++listening === workers) {
      process.stdout.write(
        `API listening on http://${config.env.HOST}:${config.env.PORT} (${workers} processes) — docs at ${config.env.PUBLIC_BASE_URL}/docs\n`,
      );
    }
  });
  cluster.on('fork', () => alive++);
  cluster.on('exit', (worker, code, signal) => {
    alive--;
    if (stopping) {
      if (alive === 0) process.exit(process.exitCode ?? 0);
      return;
    }
    if (!ready.has(worker.id)) {
      // It never listened (bad configuration, database unreachable): another would fail too.
      process.stderr.write(`API process ${worker.process.pid} failed to start; stopping\n`);
      process.exitCode = 1;
      stop('SIGTERM');
      if (alive === 0) process.exit(1);
      return;
    }
    process.stderr.write(
      `API process ${worker.process.pid} exited (${signal ?? code}); starting another\n`,
    );
    listening--;
    cluster.fork();
  });
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill(signal);
    setTimeout(() => process.exit(1), config.env.SHUTDOWN_TIMEOUT_MS + 5000).unref();
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  for (let i = 0; i < workers; i++) cluster.fork();
}

const workers = cluster.isPrimary ? loadConfigOrExit().env.API_WORKERS : 1;
if (workers > 1) supervise(workers);
else void serve();
