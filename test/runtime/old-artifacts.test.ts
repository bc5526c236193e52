// Artifacts written before the family registry (pmix 0.1.0 at commit fd58a7d, from
// test/fixtures/artifacts-0.1.0/fixtures.pmix) still load, through the API and the CLI's
// loader, and answer exactly what that pmix answered (answers.json, recorded with its CLI).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { load } from '../../api/index.js';

const DIR = join(import.meta.dirname, '../fixtures/artifacts-0.1.0');
const answers = JSON.parse(readFileSync(join(DIR, 'answers.json'), 'utf8')) as Record<string, { query: string; answer: unknown }[]>;

function expectAnswer(got: unknown, want: unknown, path: string): void {
  if (typeof want === 'number') {
    expect(typeof got, path).toBe('number');
    const g = got as number;
    if (want === g) return;
    expect(Math.abs(g - want) / Math.max(Math.abs(want), 1e-300), `${path}: ${g} vs recorded ${want}`).toBeLessThan(1e-12);
  } else if (want !== null && typeof want === 'object') {
    expect(got !== null && typeof got === 'object', path).toBe(true);
    if (Array.isArray(want)) expect((got as unknown[]).length, `${path}.length`).toBe(want.length);
    for (const [k, v] of Object.entries(want)) expectAnswer((got as Record<string, unknown>)[k], v, `${path}.${k}`);
  } else expect(got, path).toBe(want);
}

describe('artifacts written by pmix 0.1.0 before the family registry', () => {
  for (const [model, cases] of Object.entries(answers)) {
    it(`${model} loads and answers as before`, () => {
      const m = load(readFileSync(join(DIR, `${model}.json`), 'utf8'));
      expect(m.name).toBe(model);
      // Answers may have gained fields since (a GP's lower95/upper95); every recorded one is unchanged:
      // strings, booleans and shapes exactly, numbers to 1e-12 relative (kernels since then reorder
      // floating-point sums, e.g. the fused exact-GP pass: differences of 1e-15 to 3e-14 measured).
      for (const c of cases) expectAnswer(JSON.parse(JSON.stringify(m.query(c.query))), c.answer, c.query);
    });
  }
});
