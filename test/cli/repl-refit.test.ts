// `fit P2 on d` in `pmix repl` for a model loaded with `:load x.json AS P2` (issue 19: it said
// "unknown model 'P2'"): a warm start from the artifact's parameters on a declared data set,
// by the artifact's own method or the one the statement names; the loaded model then answers
// with the new parameters. Driven through piped stdin.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/programs.js';

const root = new URL('../../', import.meta.url).pathname;

function repl(input: string, ...args: string[]): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [join(root, 'dist/cli/main.js'), 'repl', '--no-history', ...args], { cwd: root, input, encoding: 'utf8' });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

describe('fit of a loaded model in the REPL', () => {
  it('continues from the artifact; by online(...) too; unknown data sets are named', () => {
    const saved = join(tempDir(), 'goals.json');
    const r = repl(
      [
        `:save Goals ${saved}`,
        `:load ${saved} AS P2`,
        'fit P2 on nothing',
        'fit P2 on matches',
        'P2: logp(home_goals = 1, away_goals = 1)',
        'Goals: logp(home_goals = 1, away_goals = 1)',
        'fit P2 on matches by online(batch = 50, alpha = 0.9)',
        ':quit',
      ].join('\n') + '\n',
      'examples/football.pmix',
    );
    expect(r.code).toBe(0);
    expect(r.out).not.toContain("unknown model 'P2'");
    expect(r.out).toContain("error: unknown data set 'nothing' (data sets: matches)");
    expect(r.out).toMatch(new RegExp(`fit P2 on matches by em: continued from ${saved.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}, converged after [12] iteration`));
    // Continued from the converged fit on the same rows: the same answer as the original model.
    const answers = r.out.split('\n').filter((l) => /^-\d+\.\d+$/.test(l.trim().replace(/^pmix>\s*/, '')));
    expect(answers).toHaveLength(2);
    expect(answers[0]!.replace(/^pmix>\s*/, '').trim()).toBe(answers[1]!.replace(/^pmix>\s*/, '').trim());
    expect(r.out).toMatch(/fit P2 on matches by online: continued from .*, stopped at the limit after 1 pass \(passes = 1/);
  });
});
