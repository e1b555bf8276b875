import type { INestApplicationContext } from '@nestjs/common';
import { SingleBar } from 'cli-progress';
import { ClsService } from 'nestjs-cls';
import { systemPrincipal } from '../../common/access/roles';
import type { RequestContext } from '../../common/context/request-context';
import { AppException } from '../../common/errors';
import { QueueService } from '../../queue/queue.service';
import { MatchesService } from './matches.service';
import type { RematchProgress } from './rematch-progress.service';

/**
 * `rematch`: requests a full re-match (the same job as `POST /matching/rematch`, audited) and,
 * unless --detach, follows it with a progress bar until the workers finish it. The work runs
 * in the worker processes, spread over all of them. Returns the exit code.
 */
export async function runCliRematch(
  app: INestApplicationContext,
  options: { detach?: boolean; pollMs?: number },
): Promise<number> {
  const matches = app.get(MatchesService);
  const cls = app.get<ClsService<RequestContext>>(ClsService);
  let jobId: string;
  try {
    jobId = await cls.run(async () => {
      const principal = systemPrincipal('cli:rematch');
      cls.set('jobId', 'cli:rematch');
      cls.set('principal', principal);
      return (await matches.requestRematch(principal)).jobId;
    });
  } catch (error) {
    process.stderr.write(
      `${error instanceof AppException ? `${error.code}: ` : ''}${(error as Error).message}\n`,
    );
    return 1;
  }
  process.stdout.write(`Re-match job ${jobId}\n`);
  if (options.detach) return 0;
  const workers = await app.get(QueueService).queue('matching').getWorkersCount();
  if (!workers)
    process.stderr.write(
      'No worker is running: the job waits until one starts (npm run start:worker).\n',
    );
  else process.stderr.write(`${workers} worker connection(s) on the matching queue\n`);
  const bar = new SingleBar({
    format: 'rematch [{bar}] {percentage}% | {phase} | chunks {chunks} | needs {needs}',
    stream: process.stderr,
    noTTYOutput: true,
    notTTYSchedule: 2000,
  });
  bar.start(100, 0, { phase: 'waiting', chunks: '-', needs: '-' });
  try {
    for (;;) {
      const status = await matches.job(jobId);
      const p = status.progress as Partial<RematchProgress> | number;
      if (typeof p === 'object' && p !== null && p.percent !== undefined) {
        bar.update(Math.floor(p.percent), {
          phase: p.phase,
          chunks: `${p.chunksDone}/${p.chunksTotal}`,
          needs: `${p.needsDone}/${p.needsTotal}`,
        });
      }
      if (status.state === 'completed') {
        bar.update(100);
        bar.stop();
        process.stdout.write(`${JSON.stringify(status.result)}\n`);
        return 0;
      }
      if (status.state === 'failed') {
        bar.stop();
        process.stderr.write(`Re-match failed: ${status.error ?? 'unknown error'}\n`);
        return 1;
      }
      await new Promise((r) => setTimeout(r, options.pollMs ?? 500));
    }
  } finally {
    bar.stop();
  }
}
