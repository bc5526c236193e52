// --json output keeps non-finite numbers visible: a zero density's log is "-Infinity", not
// the null that JSON.stringify would write.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonText } from '../../cli/io.js';
import { tempDir } from '../helpers/programs.js';

const bin = new URL('../../dist/cli/main.js', import.meta.url).pathname;

describe('--json and non-finite numbers', () => {
  it('jsonText names them in strings', () => {
    expect(jsonText({ a: -Infinity, b: [NaN, Infinity], c: 1.5 })).toBe('{"a":"-Infinity","b":["NaN","Infinity"],"c":1.5}');
  });

  it('pmix run --json reports a zero density as "-Infinity"', () => {
    const file = join(tempDir(), 'g.pmix');
    writeFileSync(file, 'model G(x) = Normal(mean = 0, sd = 1)\nquery G: logp(x = 1e300)\nquery G: p(x = 1e300)\n');
    const r = spawnSync(process.execPath, [bin, 'run', file, '--json'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    const o = JSON.parse(r.stdout);
    expect(o.queries[0].answer.log_value).toBe('-Infinity');
    expect(o.queries[1].answer.value).toBe(0);
  });
});

describe('--json names (docs/json.md)', () => {
  const file = join(tempDir(), 'm.pmix');
  writeFileSync(
    file,
    'model M(x) = mixture(weights = [0.25, 0.75]) { Normal(mean = 0, sd = 1), Normal(mean = 5, sd = 1) }\n' +
      'query M: logp(x = 5)\nquery M: p(x = 5)\nquery M: posterior(x = 5)\nquery M: mode()\nquery M: p(x)\n',
  );
  const o = JSON.parse(spawnSync(process.execPath, [bin, 'run', file, '--json'], { encoding: 'utf8' }).stdout);

  it('are snake_case everywhere (no camelCase key in any answer or fit)', () => {
    const keys: string[] = [];
    const walk = (v: unknown, named: boolean): void => {
      if (Array.isArray(v)) v.forEach((x) => walk(x, false));
      else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) {
        if (!named) keys.push(k);
        walk(x, k === 'point');
      }
    };
    walk(o, false);
    expect(keys.filter((k) => /[A-Z]/.test(k))).toEqual([]);
    expect(keys).toContain('log_density');
  });

  it('a logp answer carries log_value and no value; a p answer both', () => {
    const exact = Math.log(0.75 / Math.sqrt(2 * Math.PI) + 0.25 * Math.exp(-12.5) / Math.sqrt(2 * Math.PI));
    expect(o.queries[0].answer).not.toHaveProperty('value');
    expect(o.queries[0].answer.log_value).toBeCloseTo(exact, 12);
    expect(o.queries[1].answer.value).toBeCloseTo(Math.exp(exact), 12);
    expect(o.queries[1].answer.log_value).toBeCloseTo(exact, 12);
  });

  it('numbers the best component from 1, as the text does', () => {
    // At x = 5 the second component (weight 0.75, mean 5) wins: "component 2" in the text.
    expect(o.queries[2].answer.best).toBe(2);
    expect(o.queries[2].answer.probs[1]).toBeGreaterThan(0.99);
    const text = spawnSync(process.execPath, [bin, 'run', file], { encoding: 'utf8' }).stdout;
    expect(text).toMatch(/component 2: [\d.]+ +<- most probable/);
  });
});

describe('score and logProb of an all-empty row', () => {
  const dir = tempDir();
  const file = join(dir, 'n.pmix');
  const csv = join(dir, 'rows.csv');
  writeFileSync(file, `data d from "${csv}" { x: real, y: real }\nmodel M = product { x: Normal, y: Normal }\nfit M on d by em\n`);
  writeFileSync(csv, 'x,y\n0,1\n1,2\n,\n2,\n-1,0\n');

  it('score --per-row gives it exactly 0 and counts it in the mean over every row given (saying how many were empty)', () => {
    const art = join(dir, 'm.json');
    expect(spawnSync(process.execPath, [bin, 'fit', file, '--out', art, '--no-progress'], { encoding: 'utf8' }).status).toBe(0);
    const per = spawnSync(process.execPath, [bin, 'score', art, '--data', csv, '--per-row'], { encoding: 'utf8' });
    const lines = per.stdout.trim().split('\n');
    expect(lines[0]).toBe('log_density');
    expect(lines[3]).toBe('0');
    const lp = lines.slice(1).map(Number);
    // scikit-learn's score: the mean of the per-row values over all the rows given (the empty one adds 0)
    const mean = (lp[0]! + lp[1]! + lp[2]! + lp[3]! + lp[4]!) / 5;
    expect(per.stderr).toContain(`over 5 rows (1 empty row, scoring 0)`);
    const j = JSON.parse(spawnSync(process.execPath, [bin, 'score', art, '--data', csv, '--json'], { encoding: 'utf8' }).stdout);
    expect(j).toMatchObject({ n: 5, empty_rows: 1 });
    expect(j.mean_log_likelihood).toBeCloseTo(mean, 8);
  });

  it("the API's logProb of an all-missing row is exactly 0", async () => {
    const { compile } = await import('../../api/index.js');
    const m = compile('model M = product { x: Normal(mean = 0, sd = 1), y: Normal(mean = 0, sd = 2) }').model('M');
    const lp = m.logProb([{}, { x: null, y: undefined }, { x: 0 }]);
    expect(lp[0]).toBe(0);
    expect(lp[1]).toBe(0);
    expect(lp[2]).toBeCloseTo(-0.5 * Math.log(2 * Math.PI), 12);
  });
});
