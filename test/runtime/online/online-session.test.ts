// A .pmix fit `by online(...)` whose data does not fit the memory limit streams it from the file
// (in the file's order) instead of loading it, and reaches the in-memory fit's quality; a fit
// that fits the limit loads the rows and visits them shuffled.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Session } from '../../../session/session.js';
import { Rng } from '../../../stdlib/random.js';
import { compileOk, tempDir, writeCsv } from '../../helpers/programs.js';

describe('online EM from a data statement', () => {
  it('streams a file over the memory limit, loads one under it; both fit', () => {
    const rng = new Rng(5);
    const rows = Array.from({ length: 30000 }, () => {
      const c = rng.uniform() < 0.4;
      return [(c ? 4 : 0) + rng.normal(), (c ? -2 : 1) + 0.6 * rng.normal()];
    });
    const dir = tempDir();
    writeCsv(['x', 'y'], rows, dir, 'd.csv');
    const text = 'data d from "d.csv" { x: real, y: real }\nmodel M = mixture(k = 2) of Normal(full)\nfit M on d by online(batch = 500)';
    const program = compileOk(text, join(dir, 'm.pmix'));
    const step = program.steps[0]!;
    if (step.kind !== 'fit') throw new Error('expected a fit');
    const streamed = new Session(program, { maxMemory: 2 * 2 ** 20 });
    const s = streamed.fit(step);
    expect(streamed.fitted.get('M')!.streamed?.rows).toBe(30000);
    const loaded = new Session(program);
    const l = loaded.fit(step);
    expect(loaded.fitted.get('M')!.streamed).toBeUndefined();
    expect(s.method).toBe('online');
    expect(s.rows).toBe(30000);
    expect(Math.abs(s.mean_log_likelihood - l.mean_log_likelihood)).toBeLessThan(0.01);
  });
});
