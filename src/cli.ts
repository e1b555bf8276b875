import 'reflect-metadata';
import { INestApplicationContext } from '@nestjs/common';
import { Command } from 'commander';
import { loadConfigOrExit } from './config/app-config';
import { randomPassword } from './common/random-password';

/** Boots the worker's module graph without starting processors' HTTP; commands use its services. */
async function withContext<T>(fn: (app: INestApplicationContext) => Promise<T>): Promise<T> {
  const { NestFactory } = await import('@nestjs/core');
  const { CliModule } = await import('./cli.module');
  const app = await NestFactory.createApplicationContext(CliModule, { logger: ['error', 'warn'] });
  try {
    return await fn(app);
  } finally {
    await app.close();
  }
}

const loadConfig = loadConfigOrExit;

export function buildProgram(): Command {
  const program = new Command('salw')
    .description('Operator commands for the SALW assistance matching platform')
    .showHelpAfterError();

  program
    .command('queues')
    .description('Print the depth of every job queue')
    .action(async () => {
      loadConfig();
      await withContext(async (app) => {
        const { QueueService } = await import('./queue/queue.service');
        const queues = app.get(QueueService);
        for (const queue of queues.allQueues()) {
          const counts = await queue.getJobCounts(
            'waiting',
            'active',
            'delayed',
            'failed',
            'completed',
          );
          process.stdout.write(`${queue.name}: ${JSON.stringify(counts)}\n`);
        }
      });
    });

  program
    .command('create-admin')
    .description('Create an administrator (refused when one exists, unless --force)')
    .requiredOption('--email <email>', 'e-mail address of the administrator')
    .option('--name <name>', 'display name', 'Platform administrator')
    .option('--password-stdin', 'read the password from standard input instead of generating one')
    .option('--force', 'create another administrator even when one exists')
    .action(
      async (options: {
        email: string;
        name: string;
        passwordStdin?: boolean;
        force?: boolean;
      }) => {
        loadConfig();
        const generated = !options.passwordStdin;
        const password = options.passwordStdin ? (await readStdin()).trim() : randomPassword();
        await withContext(async (app) => {
          const { FirstAdminService } = await import('./modules/users/first-admin.service');
          const outcome = await app.get(FirstAdminService).ensure({ ...options, password });
          if (outcome === 'exists') {
            process.stderr.write(
              'An active administrator already exists; use --force to add another.\n',
            );
            process.exitCode = 2;
            return;
          }
          process.stdout.write(`Created administrator ${options.email.toLowerCase()}\n`);
          if (generated)
            process.stdout.write(
              `Password (shown once, change it after signing in): ${password}\n`,
            );
        });
      },
    );

  program
    .command('demo')
    .description('Load demo parties and accounts; new accounts get random passwords, printed once')
    .option('--reset-passwords', 'issue new random passwords to existing demo accounts')
    .action(async (options: { resetPasswords?: boolean }) => {
      loadConfig();
      await withContext(async (app) => {
        const { DemoDataService } = await import('./database/demo/demo-data.service');
        const accounts = await app.get(DemoDataService).load(options);
        const rows = accounts.map((a) => [
          a.email,
          a.roles.join(','),
          a.party,
          a.password ?? '(unchanged: printed when created)',
        ]);
        const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i].length)));
        process.stdout.write('\nDemo accounts (passwords are random and shown only now):\n');
        for (const r of rows) {
          process.stdout.write(
            `  ${r[0].padEnd(widths[0])}  ${r[1].padEnd(widths[1])}  ${r[2].padEnd(widths[2])}  ${r[3]}\n`,
          );
        }
        process.stdout.write('\n');
      });
    });

  program
    .command('import-rates')
    .description(
      'Load exchange rates from a CSV file (currency,date,usd_per_unit[,source], header row required); all rows or none',
    )
    .argument('<file>', 'CSV file to load')
    .action(async (file: string) => {
      loadConfig();
      const { readFile } = await import('node:fs/promises');
      let content: string;
      try {
        content = await readFile(file, 'utf8');
      } catch (error) {
        process.stderr.write(`Cannot read ${file}: ${(error as Error).message}\n`);
        process.exitCode = 1;
        return;
      }
      await withContext(async (app) => {
        const { ExchangeRatesImportService } =
          await import('./modules/exchange-rates/exchange-rates-import.service');
        const result = await app.get(ExchangeRatesImportService).importCsv(content, file);
        if (result.problems.length) {
          for (const p of result.problems) {
            process.stderr.write(`line ${p.line}: ${p.field}: ${p.reason}\n`);
          }
          process.stderr.write(
            `Nothing imported: ${result.problems.length} problem(s) in ${file}\n`,
          );
          process.exitCode = 1;
          return;
        }
        process.stdout.write(`Imported ${result.count} exchange rates from ${file}\n`);
      });
    });

  program
    .command('import')
    .description(
      'Import needs, plans or offers from a CSV or JSON file for a party (see docs/IMPORTS.md); all rows or none',
    )
    .argument('<kind>', 'needs, plans or offers')
    .argument('<file>', 'the file (.csv or .json)')
    .requiredOption('--party <party>', 'the importing party: its id, or the alpha-3 of a State')
    .option('--format <format>', 'csv or json (default: from the file name)')
    .action(async (kind: string, file: string, options: { party: string; format?: string }) => {
      loadConfig();
      const { IMPORT_KINDS, IMPORT_FORMATS } = await import('./modules/imports/import-rows');
      const format = options.format ?? (file.toLowerCase().endsWith('.json') ? 'json' : 'csv');
      if (!(IMPORT_KINDS as readonly string[]).includes(kind)) {
        process.stderr.write(`Unknown kind ${kind}: expected ${IMPORT_KINDS.join(', ')}\n`);
        process.exitCode = 2;
        return;
      }
      if (!(IMPORT_FORMATS as readonly string[]).includes(format)) {
        process.stderr.write(`Unknown format ${format}: expected csv or json\n`);
        process.exitCode = 2;
        return;
      }
      const { readFile } = await import('node:fs/promises');
      let content: string;
      try {
        content = await readFile(file, 'utf8');
      } catch (error) {
        process.stderr.write(`Cannot read ${file}: ${(error as Error).message}\n`);
        process.exitCode = 1;
        return;
      }
      await withContext(async (app) => {
        const { runCliImport } = await import('./modules/imports/cli-import');
        process.exitCode = await runCliImport(app, {
          kind: kind as 'needs',
          format: format as 'csv',
          content,
          party: options.party,
          file,
        });
      });
    });

  program
    .command('rematch')
    .description(
      'Re-match every open need and active offer (in chunks, on the running workers), with a progress bar',
    )
    .option('--detach', 'print the job id and return without waiting')
    .action(async (options: { detach?: boolean }) => {
      loadConfig();
      await withContext(async (app) => {
        const { runCliRematch } = await import('./modules/matching/cli-rematch');
        process.exitCode = await runCliRematch(app, options);
      });
    });

  return program;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

if (require.main === module) {
  buildProgram()
    .parseAsync(process.argv)
    .catch((error: Error) => {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    });
}
