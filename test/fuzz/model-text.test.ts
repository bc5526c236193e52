// Fuzzes model texts through the whole pipeline in-process: random texts, and the examples
// and seed programs with tokens dropped, duplicated, swapped, inserted and numbers replaced
// by extreme values. Only diagnostics or the expected error classes may come out.
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { makeCorpus } from './corpus.js';
import { reportCases, runs, seed, timeoutMs, trace } from './config.js';
import { fragmentsOf, mutatedProgram } from './mutate.js';
import { runPipeline, type Outcome } from './pipeline.js';

const corpus = makeCorpus();
const tally = new Map<Outcome, number>();
let cases = 0;

function check(text: string): void {
  cases++;
  trace(text);
  const o = runPipeline(text, corpus.dir);
  tally.set(o, (tally.get(o) ?? 0) + 1);
}

afterAll(() => reportCases('model texts (in-process pipeline)', cases));

describe('model texts through compile, check and every step', () => {
  it('every seed runs cleanly', () => {
    for (const s of corpus.seeds) expect(runPipeline(s, corpus.dir)).toBe('ran');
  });

  it('mutated seeds: diagnostics or expected errors, never a crash', () => {
    // 400 cases in the suite (every family is fitted and queried: the suite's slowest file at
    // 1200); `npm run fuzz` runs 1200 x PMIX_FUZZ_SCALE, as before.
    fc.assert(fc.property(mutatedProgram(corpus.seeds), check), { numRuns: runs(400, 1200), seed: seed() });
    // The fuzzer must reach the runtime, not only the parser.
    expect((tally.get('ran') ?? 0) + (tally.get('step-error') ?? 0)).toBeGreaterThan(runs(400, 1200) / 5);
    // Allow a busy machine.
  }, timeoutMs(180_000));

  it('texts made of language fragments', () => {
    const frags = fragmentsOf(corpus.seeds);
    const text = fc.array(fc.constantFrom(...frags, ' ', '\n'), { maxLength: 40 }).map((p) => p.join(' '));
    fc.assert(fc.property(text, check), { numRuns: runs(800), seed: seed() });
  });

  it('arbitrary strings', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 120 }), check), { numRuns: runs(300), seed: seed() });
  });
});
