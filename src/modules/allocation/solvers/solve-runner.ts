import type { Highs } from 'highs';
import { extname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { SolverInput } from '../model/problem';
import { runSolves, SolveOptions, SolveOutcome } from './solve';

let loading: Promise<Highs> | undefined;

/** The HiGHS WebAssembly runtime, loaded once per thread. */
export function loadHighs(): Promise<Highs> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  loading ??= (require('highs') as () => Promise<Highs>)();
  return loading;
}

/** In the calling thread (tests, the benchmark). */
export async function solveInProcess(
  input: SolverInput,
  options: SolveOptions,
  onProgress?: (percent: number) => void,
): Promise<SolveOutcome> {
  return runSolves(await loadHighs(), input, options, onProgress);
}

export type WorkerMessage =
  | { type: 'progress'; percent: number }
  | { type: 'done'; outcome: SolveOutcome }
  | { type: 'error'; message: string };

const WORKER_ENTRY = join(__dirname, `solve.worker${extname(__filename)}`);

/**
 * In a worker thread, so the job's event loop stays free (BullMQ renews its lock, other jobs
 * run) while HiGHS blocks its own thread. Under ts-node or Jest the entry is TypeScript and
 * the thread registers ts-node first; built code runs the compiled entry. The thread is
 * terminated after `hardLimitMs` whatever HiGHS is doing.
 */
export function solveInThread(
  input: SolverInput,
  options: SolveOptions,
  onProgress: (percent: number) => void = () => undefined,
  hardLimitMs = (options.timeLimitSeconds * 2 + 120) * 1000,
): Promise<SolveOutcome> {
  const typescript = WORKER_ENTRY.endsWith('.ts');
  const worker = typescript
    ? new Worker(
        `require('ts-node/register/transpile-only'); require(${JSON.stringify(WORKER_ENTRY)});`,
        { eval: true, workerData: { input, options } },
      )
    : new Worker(WORKER_ENTRY, { workerData: { input, options } });
  return new Promise<SolveOutcome>((resolve, reject) => {
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn();
      void worker.terminate();
    };
    const timer = setTimeout(
      () =>
        finish(() => reject(new Error(`The solver did not finish within ${hardLimitMs / 1000} s`))),
      hardLimitMs,
    );
    worker.on('message', (message: WorkerMessage) => {
      if (message.type === 'progress') onProgress(message.percent);
      else if (message.type === 'done') finish(() => resolve(message.outcome));
      else finish(() => reject(new Error(message.message)));
    });
    worker.on('error', (error) => finish(() => reject(error)));
    worker.on('exit', (code) =>
      finish(() => reject(new Error(`The solver thread exited (code ${code}) without an answer`))),
    );
  });
}
