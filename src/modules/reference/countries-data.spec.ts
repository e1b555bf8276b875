import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import countries from '../../database/reference/countries.generated.json';

const ROOT = join(__dirname, '..', '..', '..');
const LANGUAGES = ['ar', 'zh', 'en', 'fr', 'ru', 'es'] as const;

describe('countries.generated.json', () => {
  it('is what `npm run reference:generate` produces (--check exits 0)', async () => {
    const run = promisify(execFile);
    const result = await run(process.execPath, ['scripts/generate-reference-data.mjs', '--check'], {
      cwd: ROOT,
    }).then(
      ({ stdout }) => ({ code: 0, output: stdout }),
      (error: { code?: number; stderr?: string }) => ({ code: error.code, output: error.stderr }),
    );
    expect(result).toEqual({ code: 0, output: expect.stringContaining('up to date') });
  }, 60000);

  it('holds the 193 Member States and the 2 observer States, sorted by alpha-3', () => {
    expect(countries).toHaveLength(195);
    expect(countries.filter((c) => c.memberStatus === 'member')).toHaveLength(193);
    expect(countries.filter((c) => c.memberStatus === 'observer').map((c) => c.alpha3)).toEqual([
      'PSE',
      'VAT',
    ]);
    const codes = countries.map((c) => c.alpha3);
    expect([...codes].sort()).toEqual(codes);
    expect(new Set(countries.map((c) => c.alpha2)).size).toBe(195);
    expect(new Set(countries.map((c) => c.m49)).size).toBe(195);
  });

  it('gives every country six names, a region and a sub-region', () => {
    for (const c of countries) {
      expect(c.m49).toMatch(/^\d{3}$/);
      expect(c.regionCode).toMatch(/^\d{3}$/);
      expect(c.subRegionCode).toMatch(/^\d{3}$/);
      expect(c.region).not.toBe('');
      expect(c.subRegion).not.toBe('');
      expect(c.intermediateRegion === null).toBe(c.intermediateRegionCode === null);
      for (const lang of LANGUAGES)
        expect([c.alpha3, lang, c.names[lang].trim().length > 0]).toEqual([c.alpha3, lang, true]);
    }
    const nga = countries.find((c) => c.alpha3 === 'NGA')!;
    expect([nga.region, nga.subRegion, nga.intermediateRegion]).toEqual([
      'Africa',
      'Sub-Saharan Africa',
      'Western Africa',
    ]);
  });
});
