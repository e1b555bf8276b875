import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { envSchema } from './env.schema';

describe('.env.example', () => {
  it('documents every variable the schema reads, and nothing else', () => {
    const text = readFileSync(join(__dirname, '..', '..', '.env.example'), 'utf8');
    const documented = [...text.matchAll(/^#?\s*([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]).sort();
    const schemaKeys = Object.keys(envSchema.shape).sort();
    expect(documented).toEqual(schemaKeys);
  });
});
