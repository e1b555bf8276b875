import type { INestApplicationContext } from '@nestjs/common';
import { SingleBar } from 'cli-progress';
import { ClsService } from 'nestjs-cls';
import { DataSource } from 'typeorm';
import type { Principal } from '../../common/access/roles';
import type { RequestContext } from '../../common/context/request-context';
import { AppException } from '../../common/errors';
import { Party } from '../parties/party.entity';
import type { ImportFormat, ImportKind } from './import-rows';
import { ImportsService } from './imports.service';

/** A party by id, or the active State party of an ISO alpha-3 code. */
async function findParty(app: INestApplicationContext, ref: string): Promise<Party | null> {
  const repo = app.get(DataSource).getRepository(Party);
  if (/^[0-9a-f-]{36}$/i.test(ref)) return repo.findOne({ where: { id: ref } });
  return repo.findOne({ where: { countryCode: ref.toUpperCase(), type: 'state', active: true } });
}

/**
 * `import <kind> <file> --party …`: the same import as `POST /imports`, run in this process
 * with a progress bar, acting as the party's own national contact (or donor focal point for
 * offers); recorded in import_job and audited like the API's. Returns the exit code.
 */
export async function runCliImport(
  app: INestApplicationContext,
  input: { kind: ImportKind; format: ImportFormat; content: string; party: string; file: string },
): Promise<number> {
  const party = await findParty(app, input.party);
  if (!party) {
    process.stderr.write(`No party ${input.party}\n`);
    return 2;
  }
  const principal: Principal = {
    kind: 'system',
    userId: null,
    partyId: party.id,
    partyType: party.type,
    roles: [input.kind === 'offers' ? 'donor_focal_point' : 'national_contact'],
    jobId: 'cli:import',
  };
  const imports = app.get(ImportsService);
  const cls = app.get<ClsService<RequestContext>>(ClsService);
  const bar = new SingleBar({
    format: `${input.kind} [{bar}] {percentage}% | {value}/{total} rows`,
    stream: process.stderr,
    noTTYOutput: true,
    notTTYSchedule: 1000,
  });
  try {
    const result = await cls.run(async () => {
      cls.set('jobId', 'cli:import');
      cls.set('principal', principal);
      const job = await imports.record(principal, { ...input, partyId: party.id });
      bar.start(1, 0);
      return imports.run(job.id, (processed, total) => {
        bar.setTotal(Math.max(total, 1));
        bar.update(processed);
      });
    });
    bar.stop();
    if (result.status !== 'completed') {
      for (const e of result.errors) {
        process.stderr.write(`line ${e.line}: ${e.field}: ${e.reason}\n`);
      }
      process.stderr.write(
        `Nothing imported: ${result.errors.length} problem(s) in ${input.file} (import ${result.id})\n`,
      );
      return 1;
    }
    process.stdout.write(
      `Imported ${input.file} (import ${result.id}): ${result.created} created, ${result.updated} updated, ${result.unchanged} unchanged\n`,
    );
    return 0;
  } catch (error) {
    bar.stop();
    const message =
      error instanceof AppException ? `${error.code}: ${error.message}` : String(error);
    process.stderr.write(`${message}\n`);
    return 1;
  }
}
