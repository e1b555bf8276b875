/**
 * The benchmarks run the API and the workers as they are deployed: `node dist/main.js` and
 * `node dist/worker.js`, compiled by `nest build`. Running them through ts-node instead is not
 * the same program: ts-node loads Node's `repl`, which loads `domain`, and from then on every
 * `EventEmitter#emit` of the process (sockets, streams, pg, ioredis) goes through the domain
 * module's slower wrapper; it also installs source-map-support.
 *
 * `productionEntry('main')` builds once per benchmark run (about 10 s; BENCH_NO_BUILD=1 reuses
 * an existing `dist/`) and returns the compiled entry's path.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '../..');
let built = false;

export function productionEntry(name: 'main' | 'worker'): string {
  const entry = join(ROOT, 'dist', `${name}.js`);
  if (!built && !(process.env.BENCH_NO_BUILD === '1' && existsSync(entry))) {
    const started = Date.now();
    execFileSync(process.execPath, [join(ROOT, 'node_modules/@nestjs/cli/bin/nest.js'), 'build'], {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    process.stderr.write(
      `built dist/ (nest build) in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
    );
  }
  built = true;
  if (!existsSync(entry)) throw new Error(`${entry} is missing after nest build`);
  return entry;
}
