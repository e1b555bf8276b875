import { DataSource } from 'typeorm';
import { typeormOptions } from '../../src/database/typeorm-options';
import { createEmptyDatabase, dropDatabase } from '../utils/database';

/**
 * The migration to compact suggestion columns converts the rows already stored, and its
 * down() converts them back (migrations.e2e-spec runs every migration on empty tables only).
 */
describe('migration CompactSuggestionColumns', () => {
  let db: { name: string; url: string };
  let ds: DataSource;
  const NAME = 'CompactSuggestionColumns1764302100000';
  const applied = async () =>
    (await ds.query(`SELECT name FROM migrations`)).map((r: { name: string }) => r.name);

  beforeAll(async () => {
    db = await createEmptyDatabase();
    ds = new DataSource(typeormOptions({ url: db.url }));
    await ds.initialize();
    await ds.runMigrations({ transaction: 'each' });
    while ((await applied()).includes(NAME)) await ds.undoLastMigration({ transaction: 'each' });
  }, 120_000);
  afterAll(async () => {
    await ds?.destroy();
    await dropDatabase(db.name);
  });

  it('converts stored components and rules, and back', async () => {
    // Rows as the engine stored them before, without a need or offer behind them (the
    // foreign keys are not what this checks).
    await ds.transaction(async (m) => {
      await m.query(`SET LOCAL session_replication_role = replica`);
      await m.query(
        `INSERT INTO match_suggestion (need_id, offer_id, need_party_id, offer_party_id, score,
                components, rules_passed, rules_failed, explanation, need_version, offer_version)
         VALUES (gen_random_uuid(), gen_random_uuid(), gen_random_uuid(), gen_random_uuid(), 0.8622,
                 '{"text": 0.5477, "areas": 0.8, "types": 1, "budget": 1, "timing": 1, "language": 1, "priority": 0.6, "engagement": 0}',
                 '{need_open,offer_active,state_eligible,assistance_type_shared,windows_overlap,above_offer_minimum,envelope_left}',
                 '{}', 'first', 1, 1),
                (gen_random_uuid(), gen_random_uuid(), gen_random_uuid(), gen_random_uuid(), 0.3,
                 '{"areas": 0.4}', '{need_open,offer_active,assistance_type_shared}',
                 '{state_eligible,windows_overlap,above_offer_minimum,envelope_left}', 'second', 1, 1)`,
      );
    });
    await ds.runMigrations({ transaction: 'each' });
    expect(await applied()).toContain(NAME);
    const rows = await ds.query(
      `SELECT explanation, components, rules_passed, rules_failed FROM match_suggestion ORDER BY explanation`,
    );
    expect(rows).toEqual([
      {
        explanation: 'first',
        components: [8000, 10000, 10000, 10000, 10000, 6000, 0, 5477],
        rules_passed: 127,
        rules_failed: 0,
      },
      {
        explanation: 'second',
        components: [4000, 0, 0, 0, 0, 0, 0, 0],
        rules_passed: 0b1011,
        rules_failed: 0b1110100,
      },
    ]);
    // The checks hold the format: eight components, masks of the seven rules.
    await expect(
      ds.query(`UPDATE match_suggestion SET components = '{1,2,3}' WHERE explanation = 'first'`),
    ).rejects.toThrow(/match_suggestion_components_check/);
    await expect(
      ds.query(`UPDATE match_suggestion SET rules_failed = 128 WHERE explanation = 'first'`),
    ).rejects.toThrow(/match_suggestion_rules_check/);

    while ((await applied()).includes(NAME)) await ds.undoLastMigration({ transaction: 'each' });
    const back = await ds.query(
      `SELECT explanation, components, rules_passed, rules_failed FROM match_suggestion ORDER BY explanation`,
    );
    expect(back[0]).toEqual({
      explanation: 'first',
      components: {
        text: 0.5477,
        areas: 0.8,
        types: 1,
        budget: 1,
        timing: 1,
        language: 1,
        priority: 0.6,
        engagement: 0,
      },
      rules_passed: [
        'need_open',
        'offer_active',
        'state_eligible',
        'assistance_type_shared',
        'windows_overlap',
        'above_offer_minimum',
        'envelope_left',
      ],
      rules_failed: [],
    });
    expect(back[1].rules_failed).toEqual([
      'state_eligible',
      'windows_overlap',
      'above_offer_minimum',
      'envelope_left',
    ]);
  });
});
