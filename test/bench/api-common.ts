/** What `bench:api` and `bench:api-ab` share: where the databases are, the requests, CPU from /proc. */
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
