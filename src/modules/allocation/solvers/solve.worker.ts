import { parentPort, workerData } from 'node:worker_threads';
import type { SolverInput } from '../model/problem';
import type { SolveOptions } from './solve';
import { runSolves } from './solve';
import { loadHighs, WorkerMessage } from './solve-runner';

/** Worker-thread entry: solves the model it was started with and posts progress and the outcome. */
async function main(): Promise<void> {
  const { input, options } = workerData as { input: SolverInput; options: SolveOptions };
  const post = (message: WorkerMessage) => parentPort!.postMessage(message);
  try {
    const outcome = runSolves(await loadHighs(), input, options, (percent) =>
      post({ type: 'progress', percent }),
    );
    post({ type: 'done', outcome });
  } catch (error) {
    post({ type: 'error', message: (error as Error).message ?? String(error) });
  }
}

void main();
