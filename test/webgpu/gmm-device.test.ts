// The GMM kernels on WebGPU (headless Chromium, SwiftShader here) against the CPU path (the
// float64 WebAssembly kernels): E-step per-row log-likelihoods and responsibilities, the
// statistics, and a whole EM iteration (device statistics -> host f64 M-step -> device E-step),
// diagonal and full, K up to 16, D up to 8, a few thousand rows. Tolerances: log-likelihoods
// 1e-5 relative, statistics 1e-4 relative.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mStep, type GmmParams } from '../../runtime/webgpu/index.js';
import { hasChromium, webgpuPage, type PageGlobals, type WebGpuPage } from '../helpers/webgpu-page.js';
import { cpuIteration, mixtureData, mixtureParams } from './gmm-fixtures.js';

type Plain = { full: boolean; weights: number[]; means: number[]; cov: number[] };
const plain = (p: GmmParams): Plain => ({ full: p.full, weights: Array.from(p.weights), means: Array.from(p.means), cov: Array.from(p.cov) });

interface DeviceResult {
  rowLogLik: number[];
  resp: number[];
  logLik: number;
  stats: { nk: number[]; mean: number[]; scatter: number[] };
  next: Plain;
  nextLogLik: number;
}

/** In the page: E-step rows, one iteration, the host M-step, and the next iteration's log-likelihood. */
async function onDevice(page: WebGpuPage, x: Float64Array, n: number, D: number, p: GmmParams, regCovar: number): Promise<DeviceResult> {
  return page.run(
    async (a: { x: number[]; n: number; D: number; p: Plain; reg: number }) => {
      const g = window as unknown as PageGlobals;
      const w = await g.pmixImport('runtime/webgpu/index.js');
      const { device } = await g.pmixGpu();
      const f64 = (v: number[]): Float64Array => Float64Array.from(v);
      const params = { full: a.p.full, weights: f64(a.p.weights), means: f64(a.p.means), cov: f64(a.p.cov) };
      const gmm = new w.GmmDevice(device, f64(a.x), a.n, a.D);
      const rows = await gmm.eStepRows(params);
      const it = await gmm.iterate(params);
      const next = w.mStep(it.stats, params, a.D, a.reg);
      const it2 = await gmm.iterate(next);
      gmm.destroy();
      const arr = (v: ArrayLike<number>): number[] => Array.from(v);
      return {
        rowLogLik: arr(rows.rowLogLik),
        resp: arr(rows.resp),
        logLik: it.logLik,
        stats: { nk: arr(it.stats.nk), mean: arr(it.stats.mean), scatter: arr(it.stats.scatter) },
        next: { full: next.full, weights: arr(next.weights), means: arr(next.means), cov: arr(next.cov) },
        nextLogLik: it2.logLik,
      };
    },
    { x: Array.from(x), n, D, p: plain(p), reg: regCovar },
  );
}

const relErr = (got: number, want: number, floor = 0): number => Math.abs(got - want) / Math.max(Math.abs(want), floor);

describe.skipIf(!hasChromium)('GMM kernels on WebGPU against the CPU path', () => {
  let page: WebGpuPage;
  beforeAll(async () => {
    page = await webgpuPage();
  }, 60_000);
  afterAll(async () => page?.close());

  const cases: [string, number, number, number, boolean][] = [
    ['diag D=8 K=16', 3000, 8, 16, false],
    ['full D=8 K=16', 3000, 8, 16, true],
    ['diag D=1 K=3', 2000, 1, 3, false],
    ['full D=3 K=5', 4097, 3, 5, true],
  ];
  for (const [name, n, D, K, full] of cases) {
    it(`${name}: E-step, statistics and one EM iteration match`, async () => {
      const x = mixtureData(n, D, K, 11 + D + K);
      const p = mixtureParams(x, n, D, K, full, 5 + K);
      const reg = 1e-6;
      const cpu = cpuIteration(x, n, D, p);
      const dev = await onDevice(page, x, n, D, p, reg);
      // E-step rows: log-likelihoods to 1e-5 relative (floor 1: rows near log p = 0), responsibilities absolutely.
      let worstLl = 0;
      let worstR = 0;
      for (let i = 0; i < n; i++) {
        worstLl = Math.max(worstLl, relErr(dev.rowLogLik[i]!, cpu.rowLogLik[i]!, 1));
        for (let k = 0; k < K; k++) worstR = Math.max(worstR, Math.abs(dev.resp[i * K + k]! - cpu.resp[i * K + k]!));
      }
      expect(worstLl).toBeLessThan(1e-5);
      expect(worstR).toBeLessThan(1e-4);
      expect(relErr(dev.logLik, cpu.logLik)).toBeLessThan(1e-5);
      // Statistics to 1e-4 relative: nk; means relative to the component's spread; scatter relative to sqrt(S_aa S_bb).
      const st = cpu.stats;
      for (let k = 0; k < K; k++) {
        expect(relErr(dev.stats.nk[k]!, st.nk[k]!, 1e-3 * n)).toBeLessThan(1e-4);
        for (let d = 0; d < D; d++) {
          const sd = Math.sqrt((full ? st.scatter[k * D * D + d * D + d]! : st.scatter[k * D + d]!) / st.nk[k]!);
          expect(Math.abs(dev.stats.mean[k * D + d]! - st.mean[k * D + d]!) / sd).toBeLessThan(1e-4);
        }
        if (full) {
          for (let a = 0; a < D; a++)
            for (let b = 0; b < D; b++) {
              const scale = Math.sqrt(st.scatter[k * D * D + a * D + a]! * st.scatter[k * D * D + b * D + b]!);
              expect(Math.abs(dev.stats.scatter[k * D * D + a * D + b]! - st.scatter[k * D * D + a * D + b]!) / scale).toBeLessThan(1e-4);
            }
        } else for (let d = 0; d < D; d++) expect(relErr(dev.stats.scatter[k * D + d]!, st.scatter[k * D + d]!)).toBeLessThan(1e-4);
      }
      // The whole iteration: the host M-step on the CPU's statistics gives the device's next parameters,
      // and the next E-step's log-likelihood matches the CPU path's under the CPU's parameters; EM raised it.
      const cpuNext = mStep(cpu.stats, p, D, reg);
      dev.next.weights.forEach((v, k) => expect(relErr(v, cpuNext.weights[k]!)).toBeLessThan(1e-4));
      const cpu2 = cpuIteration(x, n, D, cpuNext);
      expect(relErr(dev.nextLogLik, cpu2.logLik)).toBeLessThan(1e-5);
      expect(cpu2.logLik).toBeGreaterThan(cpu.logLik);
    });
  }

  it('log-sum-exp is stable and exact for log-weights around +-1e4 (property)', async () => {
    // Zero precision makes t_k = c_k exactly: the row's log-likelihood is log sum_k exp(c_k).
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 9 }),
        fc.array(fc.double({ min: -1e4, max: 1e4, noNaN: true }), { minLength: 9, maxLength: 9 }),
        fc.double({ min: -1e4, max: 1e4, noNaN: true }),
        async (K, cs, shift) => {
          const c = Float32Array.from(cs.slice(0, K).map((v) => v / 1e3 + shift)); // spread ~ +-10 around +-1e4
          const D = 2;
          const packed = new Float32Array(K * (2 * D + 1));
          c.forEach((v, k) => (packed[k * (2 * D + 1) + 2 * D] = v));
          const r = await page.run(
            async (a: { packed: number[]; K: number }) => {
              const g = window as unknown as PageGlobals;
              const w = await g.pmixImport('runtime/webgpu/index.js');
              const { device } = await g.pmixGpu();
              const gmm = new w.GmmDevice(device, new Float64Array(6), 3, 2);
              const out = await gmm.eStepRows({ packed: Float32Array.from(a.packed), K: a.K, full: false });
              gmm.destroy();
              return { ll: Array.from(out.rowLogLik as Float32Array), resp: Array.from(out.resp as Float32Array) };
            },
            { packed: Array.from(packed), K },
          );
          const m = Math.max(...c);
          const l = m + Math.log(Array.from(c).reduce((s, v) => s + Math.exp(v - m), 0));
          for (let i = 0; i < 3; i++) {
            expect(Number.isFinite(r.ll[i]!)).toBe(true);
            expect(Math.abs(r.ll[i]! - l)).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(l)));
            let sum = 0;
            for (let k = 0; k < K; k++) {
              const want = Math.exp(c[k]! - l);
              expect(Math.abs(r.resp[i * K + k]! - want)).toBeLessThan(1e-5 + 1e-4 * want);
              sum += r.resp[i * K + k]!;
            }
            expect(Math.abs(sum - 1)).toBeLessThan(1e-5);
          }
        },
      ),
      { numRuns: 40, seed: 18 },
    );
  });
});
