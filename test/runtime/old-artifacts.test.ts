// Artifacts written before the family registry (pmix 0.1.0 at commit fd58a7d, from
// test/fixtures/artifacts-0.1.0/fixtures.pmix) still load, through the API and the CLI's
// loader, and answer exactly what that pmix answered (answers.json, recorded with its CLI).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { load } from '../../api/index.js';

const DIR = join(import.meta.dirname, '../fixtures/artifacts-0.1.0');
const answers = JSON.parse(readFileSync(join(DIR, 'answers.json'), 'utf8')) as Record<string, { query: string; answer: unknown }[]>;

describe('artifacts written by pmix 0.1.0 before the family registry', () => {
  for (const [model, cases] of Object.entries(answers)) {
    it(`${model} loads and answers as before`, () => {
      const m = load(readFileSync(join(DIR, `${model}.json`), 'utf8'));
      expect(m.name).toBe(model);
      // Answers may have gained fields since (a GP's lower95/upper95); every recorded one is unchanged.
      for (const c of cases) expect(JSON.parse(JSON.stringify(m.query(c.query)))).toMatchObject(c.answer as object);
    });
  }
});
