// A few mutated model texts through the real `pmix` binary (dist/cli/main.js): whatever the
// input, the exit code is 0, 1 or 2 and stderr carries a message, never a stack trace.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { compile } from '../../compiler/compile.js';
import { makeCorpus } from './corpus.js';
import { reportCases, runs, seed, timeoutMs } from './config.js';
import { mutatedProgram } from './mutate.js';

const root = new URL('../../', import.meta.url).pathname;
const bin = join(root, 'dist/cli/main.js');
const corpus = makeCorpus();
let cases = 0;
afterAll(() => reportCases('model texts (pmix binary)', cases));

/** `run` when the file's fits are short enough to finish quickly, else `check`. */
function command(text: string, file: string): string {
  const { program } = compile(text, file);
  const long = program?.steps.some((s) => s.kind === 'fit' && (s.settings.method === 'em' ? s.settings.maxIter * s.settings.restarts > 3000 : s.settings.epochs > 20));
  return !program || long ? 'check' : 'run';
}

describe('the pmix binary on mutated model texts', () => {
  it('exits 0, 1 or 2 without a stack trace', () => {
    const texts = fc.sample(mutatedProgram(corpus.seeds, 3), { numRuns: runs(16), seed: seed() });
    for (const [i, text] of texts.entries()) {
      cases++;
      const file = join(corpus.dir, `cli${i}.pmix`);
      writeFileSync(file, text);
      const cmd = command(text, file);
      const args = cmd === 'run' ? [bin, cmd, file, '--no-progress'] : [bin, cmd, file];
      const r = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: 60_000 });
      const where = `pmix ${cmd} on:\n${text}\nstderr:\n${r.stderr}`;
      expect([0, 1, 2], where).toContain(r.status);
      expect(r.stderr, where).not.toMatch(/^ {4}at /m);
      expect(r.stderr, where).not.toContain('internal error');
      if (r.status !== 0) expect(r.stderr.trim().length, where).toBeGreaterThan(0);
    }
  }, timeoutMs(300_000));
});
