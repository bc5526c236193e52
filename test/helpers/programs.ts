// Test helpers: compile model text, bind it to data written to a temporary CSV, fit it.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compile } from '../../compiler/compile.js';
import type { CompiledProgram } from '../../compiler/program.js';
import type { Diagnostic } from '../../language/diagnostics.js';
import { Session } from '../../session/session.js';
import type { ModelState } from '../../runtime/state.js';
import { Rng } from '../../stdlib/random.js';

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'pmix-test-'));
}

/** Writes rows (NaN -> empty cell) with a header to a CSV file in a fresh temp dir. */
export function writeCsv(header: readonly string[], rows: ArrayLike<number>[] | number[][], dir = tempDir(), name = 'data.csv'): string {
  const path = join(dir, name);
  const lines = [header.join(',')];
  for (const r of rows) lines.push(Array.from(r, (v) => (Number.isNaN(v) ? '' : String(v))).join(','));
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

export function compileOk(text: string, file = join(tempDir(), 'model.pmix')): CompiledProgram {
  const { program, diagnostics } = compile(text, file);
  if (!program) throw new Error(`compile failed: ${diagnostics.map((d: Diagnostic) => `${d.span?.startLine}:${d.span?.startColumn} ${d.message}`).join('; ')}`);
  return program;
}

/** The state of a model written with all its parameters (no fit needed). */
export function modelState(text: string, name: string): ModelState {
  return new Session(compileOk(text)).stateOf(name);
}

/** Runs every fit of the program; returns the session. */
export function runFits(text: string, file?: string): Session {
  const program = compileOk(text, file);
  const s = new Session(program);
  for (const st of program.steps) if (st.kind === 'fit') s.fit(st);
  return s;
}

/** Draws n points from a Gaussian mixture given by weights, means and covariances (test-side sampler). */
export function sampleGmm(n: number, weights: number[], means: number[][], covs: number[][][], seed: number): number[][] {
  const rng = new Rng(seed);
  const chols = covs.map(cholesky);
  const out: number[][] = [];
  for (let i = 0; i < n; i++) {
    const k = rng.categorical(weights);
    const d = means[k]!.length;
    const z = Array.from({ length: d }, () => rng.normal());
    const L = chols[k]!;
    out.push(means[k]!.map((m, r) => m + L[r]!.reduce((s, l, c) => s + l * z[c]!, 0)));
  }
  return out;
}

/** Plain Cholesky for test data generation (independent of the library's). */
export function cholesky(a: number[][]): number[][] {
  const n = a.length;
  const L = a.map(() => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i]![j]!;
      for (let k = 0; k < j; k++) s -= L[i]![k]! * L[j]![k]!;
      L[i]![j] = i === j ? Math.sqrt(s) : s / L[j]![j]!;
    }
  }
  return L;
}

/** log N(x | m, S) for 2-D, written out by hand. */
export function logNormal2(x: number[], m: number[], S: number[][]): number {
  const det = S[0]![0]! * S[1]![1]! - S[0]![1]! * S[1]![0]!;
  const dx = x[0]! - m[0]!;
  const dy = x[1]! - m[1]!;
  const q = (S[1]![1]! * dx * dx - 2 * S[0]![1]! * dx * dy + S[0]![0]! * dy * dy) / det;
  return -Math.log(2 * Math.PI) - 0.5 * Math.log(det) - 0.5 * q;
}
