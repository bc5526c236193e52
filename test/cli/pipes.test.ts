// `pmix sample ... | head -2` and `pmix run ... | head`: the reader closes the pipe early;
// pmix ends quietly with exit 0, not an EPIPE stack trace.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/programs.js';

const root = new URL('../../', import.meta.url).pathname;
const bin = join(root, 'dist/cli/main.js');

/** Runs `pmix ARGS | head -N` in bash; pmix's exit status (PIPESTATUS) and stderr. */
function piped(args: string, n: number): { status: number; err: string; out: string } {
  const r = spawnSync('bash', ['-c', `"${process.execPath}" "${bin}" ${args} 2>"$ERR" | head -${n}; echo "status=\${PIPESTATUS[0]}" >&2`], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, ERR: join(dir, 'err.txt') },
  });
  const status = Number(/status=(\d+)/.exec(r.stderr)![1]);
  return { status, err: spawnSync('cat', [join(dir, 'err.txt')], { encoding: 'utf8' }).stdout, out: r.stdout };
}

const dir = tempDir();

describe('output into a pipe that closes early', () => {
  it('pmix sample | head -2 ends quietly with exit 0', () => {
    const art = join(dir, 'p.json');
    expect(spawnSync(process.execPath, [bin, 'fit', 'examples/football.pmix', '--out', art, '--no-progress'], { cwd: root }).status).toBe(0);
    const r = piped(`sample ${art} -n 200000`, 2);
    expect(r.out.split('\n').filter(Boolean)).toHaveLength(2);
    expect(r.err).not.toMatch(/EPIPE|at .*\.js:\d+/);
    expect(r.status).toBe(0);
  });

  it('pmix run | head ends quietly with exit 0', () => {
    const r = piped('run examples/penguins.pmix --no-progress', 1);
    expect(r.out).toMatch(/^fit Penguins/);
    expect(r.err).not.toMatch(/EPIPE|at .*\.js:\d+/);
    expect(r.status).toBe(0);
  });
});
