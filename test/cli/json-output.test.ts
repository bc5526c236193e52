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
    expect(o.queries[0].answer.logValue).toBe('-Infinity');
    expect(o.queries[1].answer.value).toBe(0);
  });
});
