import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname } from 'node:path';
import { expect, it } from 'vitest';
import { scenarioJsonSchema } from '../../../sim/scenario/parse.js';

const FILE = fileURLToPath(new URL('../../../schema/scenario.schema.json', import.meta.url));

// The committed JSON Schema (for editors) must match the zod schema parseScenario uses. When it does not,
// the test writes the fresh one and fails, so a second run passes and `git diff` shows what changed.
it('schema/scenario.schema.json is up to date', () => {
  const fresh = `${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`;
  const committed = existsSync(FILE) ? readFileSync(FILE, 'utf8') : '';
  if (committed !== fresh) {
    mkdirSync(dirname(FILE), { recursive: true });
    writeFileSync(FILE, fresh);
    expect.fail('schema/scenario.schema.json was out of date and has been regenerated: review and commit it');
  }
});
