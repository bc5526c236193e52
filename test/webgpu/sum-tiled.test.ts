// The tiled sum-layer kernel (runtime/webgpu/circuit/sum-tiled.ts: 16 rows x 16 units per
// workgroup, exp(A - m) and W^T staged in workgroup memory) against the per-row kernel it
// replaces on large nodes and against the CPU, in headless Chromium (SwiftShader): per-row
// log-likelihoods of circuits whose units are and are not multiples of the tile (20, 33), small
// nodes forced onto tiles (4 units), inputs past the per-row kernel's 256-input chunk (17 x 17
// Kronecker inputs), batches with a partial last tile; and the size rule.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { circuitPlan, deviceProgram, packParams, toLogLikelihoods } from '../../runtime/webgpu/circuit/index.js';
import { tiledSumGroups, useTiledSum } from '../../runtime/webgpu/circuit/sum-tiled.js';
import { logDensityRows } from '../../runtime/evaluate.js';
import type { ModelState } from '../../runtime/state.js';
import { hasChromium, webgpuPage, type PageGlobals, type WebGpuPage } from '../helpers/webgpu-page.js';
import { digitsCircuit, digitsRows, normalCircuit } from '../helpers/gpu-circuits.js';

interface Job {
  program: ReturnType<typeof deviceProgram>;
  prm: number[];
  x: (number | null)[];
  n: number;
}

const lls = async (j: Job): Promise<number[]> => {
  const g = window as unknown as PageGlobals;
  const c = await g.pmixImport('runtime/webgpu/circuit/exec.js');
  const { device } = await g.pmixGpu();
  const ex = new c.CircuitExecutor(device, j.program, { x: j.x.map((v) => (v === null ? NaN : v)), n: j.n }, new Float32Array(j.prm));
  const out = Array.from((await ex.logLikelihoodRows()) as Float32Array);
  ex.destroy();
  return out;
};

function job(state: ModelState, x: Float64Array, n: number, B: number, sumKernel: 'tiled' | 'per-row'): Job {
  const plan = circuitPlan(state, B);
  return { program: deviceProgram(plan, { sumKernel }), prm: Array.from(packParams(state, plan)), x: Array.from(x, (v) => (Number.isNaN(v) ? null : v)), n };
}

function worstRel(got: ArrayLike<number>, want: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!) / Math.max(1, Math.abs(want[i]!)));
  return worst;
}

describe('the size rule', () => {
  it('takes tiles for nodes of 16 units or more, the per-row kernel below, and honours a forced choice', () => {
    expect(useTiledSum({ U: 16 }, 256)).toBe(true);
    expect(useTiledSum({ U: 15 }, 256)).toBe(false);
    expect(useTiledSum({ U: 64 }, 8)).toBe(false);
    expect(useTiledSum({ U: 4 }, 256, 'tiled')).toBe(true);
    expect(useTiledSum({ U: 64 }, 256, 'per-row')).toBe(false);
    // Row tiles x (node, unit tile): 33 units are 3 unit tiles.
    expect(tiledSumGroups({ U: 33, F: 5 }, 100)).toEqual([7, 15]);
  });
  it('is what deviceProgram builds under auto', () => {
    const { names } = digitsRows(5);
    const labels = (units: number): string[] => deviceProgram(circuitPlan(digitsCircuit(names, units), 64)).forward.map((k) => k.label);
    expect(labels(32).some((l) => l.startsWith('sum tiled'))).toBe(true);
    expect(labels(8).some((l) => l.startsWith('sum tiled'))).toBe(false);
  });
});

describe.skipIf(!hasChromium)('the tiled sum kernel in headless Chromium', () => {
  let page: WebGpuPage;
  beforeAll(async () => {
    page = await webgpuPage();
  }, 60_000);
  afterAll(async () => page?.close());

  const cases: { what: string; make: () => { state: ModelState; x: Float64Array; n: number }; B: number }[] = [
    { what: 'digits, 20 units', make: () => { const d = digitsRows(300); return { state: digitsCircuit(d.names, 20), x: d.x, n: d.n }; }, B: 128 },
    { what: 'digits, 33 units', make: () => { const d = digitsRows(150); return { state: digitsCircuit(d.names, 33), x: d.x, n: d.n }; }, B: 100 },
    { what: 'Normal/Kronecker, 4 units (16 inputs), missing cells', make: () => normalCircuit(200), B: 77 },
    { what: 'Normal/Kronecker, 17 units (289 inputs)', make: () => normalCircuit(120, 7, 0.05, 17), B: 50 },
  ];
  for (const c of cases) {
    it(`${c.what}: tiled and per-row kernels give the CPU log-likelihoods`, async () => {
      const { state, x, n } = c.make();
      const want = logDensityRows(state, x, n);
      const tiled = toLogLikelihoods(await page.run(lls, job(state, x, n, c.B, 'tiled')));
      const perRow = toLogLikelihoods(await page.run(lls, job(state, x, n, c.B, 'per-row')));
      expect(worstRel(tiled, want)).toBeLessThan(1e-5);
      expect(worstRel(perRow, want)).toBeLessThan(1e-5);
      expect(worstRel(tiled, perRow)).toBeLessThan(1e-5);
    }, 120_000);
  }
});
