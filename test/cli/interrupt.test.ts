// Ctrl-C and SIGTERM during `pmix fit` and `pmix run`: the fit stops within a fraction of a
// second, the exit code is 130 or 143, and the output path holds nothing (no --checkpoint) or
// a complete artifact marked interrupted (--checkpoint); no temporary file is left behind.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readArtifact } from '../../session/load-artifact.js';
import { Rng } from '../../stdlib/random.js';
import { tempDir, writeCsv } from '../helpers/programs.js';

const root = new URL('../../', import.meta.url).pathname;
const bin = join(root, 'dist/cli/main.js');

/** A directory with a fit that runs until stopped: 3000 rows, tol = 0, a huge max_iter. */
function slowFit(): { dir: string; file: string } {
  const dir = tempDir();
  const rng = new Rng(9);
  writeCsv(['x', 'y'], Array.from({ length: 3000 }, (_, i) => [rng.normal() + 3 * (i % 3), rng.normal() - (i % 3)]), dir);
  const file = join(dir, 'slow.pmix');
  writeFileSync(file, 'data d from "data.csv" { x: real, y: real }\nmodel M = mixture(k = 3) of Normal(full)\nfit M on d by em(max_iter = 100000000, tol = 0, restarts = 2, seed = 1)\n');
  return { dir, file };
}

interface Run {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly err: string;
  /** ms from the signal to the exit */
}

/** Starts pmix, sends `sig` once `ready()` holds (polled) or after `waitMs`, and waits for the exit. */
function interrupt(args: string[], sig: NodeJS.Signals, ready: () => boolean): Promise<Run> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [bin, ...args], { cwd: root });
    let err = '';
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    let sentAt = 0;
    const started = Date.now();
    const poll = setInterval(() => {
      if (sentAt || !(ready() || Date.now() - started > 20_000)) return;
      sentAt = Date.now();
      p.kill(sig);
    }, 50);
    p.on('error', reject);
    p.on('exit', (code, signal) => {
      clearInterval(poll);
      resolve({ code, signal, err });
    });
  });
}

/** True once the fit is surely under way (data loaded, iterations running). */
const after = (ms: number): (() => boolean) => {
  const t = Date.now() + ms;
  return () => Date.now() > t;
};

function leftovers(dir: string): string[] {
  return readdirSync(dir).filter((f) => f.endsWith('.tmp') || f.startsWith('.'));
}

describe('interrupting a fit', () => {
  it('SIGINT without --checkpoint: exit 130, nothing written, no temp file', async () => {
    const { dir, file } = slowFit();
    const out = join(dir, 'm.json');
    const r = await interrupt(['fit', file, '--out', out], 'SIGINT', after(4000));
    expect(r.signal).toBeNull();
    expect(r.code).toBe(130);
    expect(r.err).toContain('fit M interrupted: nothing written');
    expect(r.err).not.toMatch(/^ {4}at /m);
    expect(existsSync(out)).toBe(false);
    expect(leftovers(dir)).toEqual([]);
  }, 30_000);

  it('SIGTERM with --checkpoint: exit 143 and a complete artifact marked interrupted', async () => {
    const { dir, file } = slowFit();
    const out = join(dir, 'm.json');
    const r = await interrupt(['fit', file, '--out', out, '--checkpoint'], 'SIGTERM', after(4000));
    expect(r.code).toBe(143);
    expect(r.err).toMatch(/fit M interrupted: wrote the best parameters so far \(iteration \d+\)/);
    const a = readArtifact(readFileSync(out, 'utf8'), out);
    expect(a.provenance.interrupted).toBe(true);
    expect(a.provenance.converged).toBe(false);
    expect(a.provenance.iterations).toBeGreaterThan(0);
    expect(Number.isFinite(a.provenance.mean_log_likelihood)).toBe(true);
    expect(leftovers(dir)).toEqual([]);
  }, 30_000);

  it('--checkpoint saves periodically while the fit runs; SIGINT then leaves the final one', async () => {
    const { dir, file } = slowFit();
    const out = join(dir, 'm.json');
    let periodic: string | undefined;
    const r = await interrupt(['fit', file, '--out', out, '--checkpoint', '--checkpoint-every', '0.2'], 'SIGINT', () => {
      if (!existsSync(out)) return false;
      periodic ??= readFileSync(out, 'utf8');
      return true;
    });
    expect(r.code).toBe(130);
    const saved = readArtifact(periodic!, 'checkpoint');
    expect(saved.provenance.checkpoint).toMatchObject({ restart: 1 });
    expect(saved.provenance.checkpoint!.iteration).toBeGreaterThan(0);
    expect(readArtifact(readFileSync(out, 'utf8')).provenance.interrupted).toBe(true);
    expect(leftovers(dir)).toEqual([]);
  }, 30_000);

  it('pmix run stops on SIGINT with exit 130', async () => {
    const { file } = slowFit();
    const r = await interrupt(['run', file], 'SIGINT', after(4000));
    expect(r.code).toBe(130);
    expect(r.err).toContain('pmix run interrupted (SIGINT)');
  }, 30_000);
});
