import { MigrationInterface, QueryRunner } from 'typeorm';
import countries from '../reference/countries.generated.json';
import {
  REGIONAL_GROUP_CODES,
  REGIONAL_GROUP_NAMES,
  regionalGroupOf,
} from '../reference/regional-groups';
import { ASSISTANCE_TYPES, CONTROL_AREAS, FRAMEWORKS } from '../reference/taxonomy';

const LANGUAGES = ['ar', 'zh', 'en', 'fr', 'ru', 'es'];

type M49Level = 'region' | 'sub_region' | 'intermediate_region';

/** Every M49 area some country sits in, parents before children. */
function m49Areas(): Array<{
  code: string;
  name: string;
  level: M49Level;
  parent_code: string | null;
}> {
  const areas = new Map<
    string,
    { code: string; name: string; level: M49Level; parent_code: string | null }
  >();
  const add = (code: string, name: string, level: M49Level, parent: string | null) => {
    const known = areas.get(code);
    if (known && (known.name !== name || known.level !== level || known.parent_code !== parent)) {
      throw new Error(`Inconsistent M49 area ${code} in countries.generated.json`);
    }
    areas.set(code, { code, name, level, parent_code: parent });
  };
  for (const c of countries) {
    add(c.regionCode, c.region, 'region', null);
    add(c.subRegionCode, c.subRegion, 'sub_region', c.regionCode);
    if (c.intermediateRegionCode && c.intermediateRegion) {
      add(c.intermediateRegionCode, c.intermediateRegion, 'intermediate_region', c.subRegionCode);
    }
  }
  const depth: Record<M49Level, number> = { region: 0, sub_region: 1, intermediate_region: 2 };
  return [...areas.values()].sort(
    (a, b) => depth[a.level] - depth[b.level] || a.code.localeCompare(b.code),
  );
}

/**
 * Reference data: UN Member and observer States with their M49 geography and regional
 * group, the M49 areas, the regional groups, and the control-area, assistance-type and
 * framework codes. Rows come from src/database/reference/; a later change to that data
 * belongs in a new migration (these rows are what every database created from here holds).
 */
export class ReferenceData1764300000000 implements MigrationInterface {
  name = 'ReferenceData1764300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const groupList = REGIONAL_GROUP_CODES.map((g) => `'${g}'`).join(', ');
    const languageList = LANGUAGES.map((l) => `'${l}'`).join(', ');

    await queryRunner.query(`
      CREATE TABLE regional_group (
        code varchar(16) PRIMARY KEY,
        name text NOT NULL,
        CONSTRAINT regional_group_code_check CHECK (code IN (${groupList}))
      )`);
    await queryRunner.query(`
      CREATE TABLE m49_area (
        code char(3) PRIMARY KEY,
        name text NOT NULL UNIQUE,
        level text NOT NULL CHECK (level IN ('region', 'sub_region', 'intermediate_region')),
        parent_code char(3) REFERENCES m49_area (code),
        CONSTRAINT m49_area_code_digits CHECK (code ~ '^[0-9]{3}$'),
        CONSTRAINT m49_area_parent_check CHECK ((level = 'region') = (parent_code IS NULL))
      )`);
    await queryRunner.query(`
      CREATE TABLE country (
        alpha3 char(3) PRIMARY KEY CHECK (alpha3 ~ '^[A-Z]{3}$'),
        alpha2 char(2) NOT NULL UNIQUE CHECK (alpha2 ~ '^[A-Z]{2}$'),
        m49 char(3) NOT NULL UNIQUE CHECK (m49 ~ '^[0-9]{3}$'),
        region text NOT NULL,
        region_code char(3) NOT NULL REFERENCES m49_area (code),
        sub_region text NOT NULL,
        sub_region_code char(3) NOT NULL REFERENCES m49_area (code),
        intermediate_region text,
        intermediate_region_code char(3) REFERENCES m49_area (code),
        regional_group varchar(16) REFERENCES regional_group (code)
          CONSTRAINT country_regional_group_check CHECK (regional_group IN (${groupList})),
        member_status text NOT NULL CHECK (member_status IN ('member', 'observer')),
        names jsonb NOT NULL CONSTRAINT country_names_check CHECK (names ?& ARRAY[${languageList}]),
        CONSTRAINT country_intermediate_region_check
          CHECK ((intermediate_region IS NULL) = (intermediate_region_code IS NULL)),
        CONSTRAINT country_observer_no_group_check
          CHECK (member_status = 'member' OR regional_group IS NULL)
      )`);
    await queryRunner.query(`CREATE INDEX country_regional_group_idx ON country (regional_group)`);
    await queryRunner.query(`
      CREATE TABLE control_area (
        code varchar(16) PRIMARY KEY,
        kind text NOT NULL CHECK (kind IN ('series', 'module', 'platform')),
        series varchar(16) REFERENCES control_area (code),
        title text NOT NULL,
        sort_order integer NOT NULL,
        CONSTRAINT control_area_series_check CHECK ((kind = 'module') = (series IS NOT NULL))
      )`);
    await queryRunner.query(`
      CREATE TABLE assistance_type (
        code varchar(32) PRIMARY KEY,
        title text NOT NULL,
        sort_order integer NOT NULL
      )`);
    await queryRunner.query(`
      CREATE TABLE framework (
        code varchar(16) PRIMARY KEY,
        title text NOT NULL,
        year smallint NOT NULL,
        sort_order integer NOT NULL
      )`);

    // Each table is filled by one statement whose rows travel as a single JSON parameter.
    await queryRunner.query(
      `INSERT INTO regional_group (code, name)
       SELECT code, name FROM jsonb_to_recordset($1::jsonb) AS r(code text, name text)`,
      [
        JSON.stringify(
          REGIONAL_GROUP_CODES.map((code) => ({ code, name: REGIONAL_GROUP_NAMES[code] })),
        ),
      ],
    );
    await queryRunner.query(
      `INSERT INTO m49_area (code, name, level, parent_code)
       SELECT code, name, level, parent_code
       FROM jsonb_to_recordset($1::jsonb) AS r(code text, name text, level text, parent_code text)`,
      [JSON.stringify(m49Areas())],
    );
    await queryRunner.query(
      `INSERT INTO country (alpha3, alpha2, m49, region, region_code, sub_region, sub_region_code,
                            intermediate_region, intermediate_region_code, regional_group,
                            member_status, names)
       SELECT alpha3, alpha2, m49, region, region_code, sub_region, sub_region_code,
              intermediate_region, intermediate_region_code, regional_group, member_status, names
       FROM jsonb_to_recordset($1::jsonb) AS r(
         alpha3 text, alpha2 text, m49 text, region text, region_code text, sub_region text,
         sub_region_code text, intermediate_region text, intermediate_region_code text,
         regional_group text, member_status text, names jsonb)`,
      [
        JSON.stringify(
          countries.map((c) => ({
            alpha3: c.alpha3,
            alpha2: c.alpha2,
            m49: c.m49,
            region: c.region,
            region_code: c.regionCode,
            sub_region: c.subRegion,
            sub_region_code: c.subRegionCode,
            intermediate_region: c.intermediateRegion,
            intermediate_region_code: c.intermediateRegionCode,
            regional_group: c.memberStatus === 'member' ? regionalGroupOf(c.alpha3) : null,
            member_status: c.memberStatus,
            names: c.names,
          })),
        ),
      ],
    );
    await queryRunner.query(
      `INSERT INTO control_area (code, kind, series, title, sort_order)
       SELECT code, kind, series, title, sort_order
       FROM jsonb_to_recordset($1::jsonb) AS r(code text, kind text, series text, title text, sort_order integer)`,
      [
        JSON.stringify(
          CONTROL_AREAS.map((a) => ({
            code: a.code,
            kind: a.kind,
            series: a.series,
            title: a.title,
            sort_order: a.sortOrder,
          })),
        ),
      ],
    );
    await queryRunner.query(
      `INSERT INTO assistance_type (code, title, sort_order)
       SELECT code, title, sort_order
       FROM jsonb_to_recordset($1::jsonb) AS r(code text, title text, sort_order integer)`,
      [
        JSON.stringify(
          ASSISTANCE_TYPES.map((t) => ({ code: t.code, title: t.title, sort_order: t.sortOrder })),
        ),
      ],
    );
    await queryRunner.query(
      `INSERT INTO framework (code, title, year, sort_order)
       SELECT code, title, year, sort_order
       FROM jsonb_to_recordset($1::jsonb) AS r(code text, title text, year smallint, sort_order integer)`,
      [
        JSON.stringify(
          FRAMEWORKS.map((f) => ({
            code: f.code,
            title: f.title,
            year: f.year,
            sort_order: f.sortOrder,
          })),
        ),
      ],
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE IF EXISTS framework`);
    await queryRunner.query(`DROP TABLE IF EXISTS assistance_type`);
    await queryRunner.query(`DROP TABLE IF EXISTS control_area`);
    await queryRunner.query(`DROP TABLE IF EXISTS country`);
    await queryRunner.query(`DROP TABLE IF EXISTS m49_area`);
    await queryRunner.query(`DROP TABLE IF EXISTS regional_group`);
  }
}
