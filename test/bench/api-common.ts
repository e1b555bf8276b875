/** What `bench:api` and `bench:api-ab` share: where the databases are, the requests, CPU from /proc. */
import { ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

export const SERVER = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432';

/** The URL of database `name` on SERVER. */
export const withDb = (name: string): string => {
  const url = new URL(SERVER);
  url.pathname = `/${name}`;
  return url.toString();
};

/** The list phase: four filtered lists, cycled. */
export const LIST_PATHS = [
  '/api/v1/needs?region=Africa&controlArea=05&status=published&limit=50',
  '/api/v1/needs?group=GRULAC&assistanceType=training&minCost=100000&limit=50',
  '/api/v1/needs?region=Asia&sort=priority&limit=50',
  '/api/v1/needs?controlArea=05.30&from=2026-06-01&to=2026-12-31&sort=cost&limit=50',
];

/** The search phase: French, English, Spanish and a misspelt word. */
export const SEARCH_PATHS = [
  '/api/v1/needs?q=marquage&limit=50',
  '/api/v1/needs?q=stockpile%20management&limit=50',
  '/api/v1/needs?q=gesti%C3%B3n%20de%20arsenales&limit=50',
  '/api/v1/needs?q=machnes&limit=50',
];

const TICK_MS = 1000 / 100; // USER_HZ: /proc reports CPU time in clock ticks of 10 ms

/** utime + stime of a process and its children (ms), from /proc (Linux); 0 once it is gone. */
export function cpuMsOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14-17 of stat (utime, stime, cutime, cstime), counted from after the command name.
    return (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) * TICK_MS;
  } catch {
    return 0;
  }
}

/**
 * Starts `node [nodeArgs] <entry>` (an API build's main.js) and resolves once it logs "API
 * listening"; its request log is then read and discarded. Stops it if it exits first or does
 * not listen within 300 s.
 */
export async function startApiProcess(
  entry: string,
  env: NodeJS.ProcessEnv,
  nodeArgs: string[] = [],
): Promise<ChildProcess> {
  const child = spawn(process.execPath, [...nodeArgs, entry], {
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const started = new Promise<void>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(
      () => reject(new Error('the API did not start within 300 s')),
      300_000,
    );
    child.once('exit', (code) => reject(new Error(`the API exited (${code}) before listening`)));
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('API listening')) {
        clearTimeout(timer);
        child.stdout!.off('data', onData);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
  });
  try {
    await started;
  } catch (error) {
    await stopApi(child);
    throw error;
  }
  child.removeAllListeners('exit');
  // Its request log (LOG_LEVEL, default info as in production) is read and discarded.
  child.stdout!.resume();
  return child;
}

/** SIGTERM, then SIGKILL if it has not exited within 30 s. */
export async function stopApi(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timeout = new Promise((r) => setTimeout(() => r('timeout'), 30_000));
  if ((await Promise.race([exited, timeout])) === 'timeout') child.kill('SIGKILL');
}
