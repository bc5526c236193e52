// `pmix repl` driven through piped stdin: load an example, fit, query, a bad line (an error
// is shown and the session goes on), save, reload, and the reloaded model gives the same answer.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/programs.js';

const root = new URL('../../', import.meta.url).pathname;

function repl(input: string, ...args: string[]): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [join(root, 'dist/cli/main.js'), 'repl', '--no-history', ...args], { cwd: root, input, encoding: 'utf8' });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

describe('pmix repl', () => {
  it('runs a session: load, fit, query, a bad line, save, reload', () => {
    const saved = join(tempDir(), 'g.json');
    const r = repl(
      [
        'Goals: logp(home_goals = 1, away_goals = 1)',
        'model Oops = mixture(k = 2 of Poisson',
        'query Nope: logp(x = 1)',
        `:save Goals ${saved}`,
        `:load ${saved} AS Again`,
        'Again: logp(home_goals = 1, away_goals = 1)',
        ':describe Goals',
        ':quit',
      ].join('\n') + '\n',
      'examples/football.pmix',
    );
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/fit Goals on matches by em: converged/);
    const answers = r.out.split('\n').filter((l) => /^-\d+\.\d+$/.test(l.trim()));
    expect(answers).toHaveLength(2);
    expect(answers[0]).toBe(answers[1]);
    expect(r.out).toContain("error: expected ')' but found 'of'");
    expect(r.out).toContain("error: unknown model 'Nope'");
    expect(r.out).toContain(`saved 'Goals' to ${saved}`);
    expect(r.out).toContain('n0: Poisson, 2 unit(s) over home_goals, away_goals');
    expect(r.out + r.err).not.toMatch(/\n\s+at .*\.js:\d+/);
  });

  it(':plot writes an SVG of a 1-D and a 2-D density', () => {
    const dir = tempDir();
    const r = repl(`:plot Goals home_goals ${dir}/one.svg\n:plot Goals home_goals away_goals ${dir}/two.svg\n:plot Goals nope ${dir}/x.svg\n`, 'examples/football.pmix');
    expect(r.out).toContain(`wrote ${dir}/one.svg`);
    expect(r.out).toMatch(/error: :plot takes one or two numeric variables/);
    const one = readFileSync(join(dir, 'one.svg'), 'utf8');
    const two = readFileSync(join(dir, 'two.svg'), 'utf8');
    expect(one).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    // (issue 19: the curve is sampled densely, the 2-D density is contour bands, not a grid of cells)
    expect(one).toMatch(/<path class="line" d="M[\d.]+,[\d.]+(L[\d.]+,[\d.]+){399,}"/);
    // Goals are whole numbers: one tile per pair of values (0..10 home, 0..9 away in the data), no contour surface.
    expect(two).not.toContain('class="density"');
    expect((/<g class="tiles">(.*?)<\/g>/.exec(two)?.[1]?.match(/<rect /g) ?? []).length).toBeGreaterThan(30);
  });

  it('continues a statement over several lines until its brackets close', () => {
    const r = repl('model M(x) = mixture(weights = [0.5, 0.5]) {\n  Normal(mean = 0, sd = 1),\n  Normal(mean = 3, sd = 1)\n}\nM: p(x = 0)\n');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/0\.20\d+ {3}\(log -1\.\d+\)/);
  });
});
