/**
 * Saves a screenshot of the console's match review page to docs/console-match-review.png (for the
 * README). The page is the real one: the browser journey test (test/browser/
 * console-journey.browser-spec.ts) declares a need, publishes it, lets the worker suggest the
 * match and proposes it, then takes the screenshot when CONSOLE_SCREENSHOT names a file.
 *
 *   node -r ts-node/register/transpile-only scripts/console-screenshot.ts [out.png]
 *
 * Needs PostgreSQL, Redis and Chromium (/usr/bin/chromium or CHROMIUM_PATH), like `npm test`.
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const out = resolve(process.argv[2] ?? 'docs/console-match-review.png');
const jest = resolve(__dirname, '..', 'node_modules', 'jest', 'bin', 'jest.js');
const run = spawnSync(
  process.execPath,
  [jest, '--selectProjects', 'browser', 'test/browser/console-journey.browser-spec.ts'],
  {
    stdio: 'inherit',
    cwd: resolve(__dirname, '..'),
    env: { ...process.env, CONSOLE_SCREENSHOT: out },
  },
);
if (run.status === 0) process.stdout.write(`console-screenshot: ${out}\n`);
process.exit(run.status ?? 1);
