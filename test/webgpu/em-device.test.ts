// `em` on a Gaussian mixture runs on the WebGPU device when one is found (the browser API in
// headless Chromium on SwiftShader, backend auto) and gives the CPU path's fit (Node, float64):
// the same mean log-likelihood to 1e-5 relative and the same parameters, diag and full.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../../api/index.js';
import { hasChromium, webgpuPage, type PageGlobals, type WebGpuPage } from '../helpers/webgpu-page.js';
import { mixtureData } from './gmm-fixtures.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));

function columns(x: Float64Array, n: number, D: number): Record<string, number[]> {
  const cols: Record<string, number[]> = {};
  for (let d = 0; d < D; d++) cols[`x${d}`] = Array.from({ length: n }, (_, i) => x[i * D + d]!);
  return cols;
}

describe.skipIf(!hasChromium)('em on a Gaussian mixture on the WebGPU device', () => {
  let page: WebGpuPage;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pmix-em-device-'));
    await build({
      configFile: false,
      root: REPO,
      logLevel: 'silent',
      // Library mode leaves process.env.NODE_ENV to the consumer (immer reads it); a page has no process.
      define: { 'process.env.NODE_ENV': '"production"' },
      build: { outDir: dir, emptyOutDir: true, lib: { entry: join(REPO, 'test/webgpu/em-entry.ts'), formats: ['es'], fileName: 'pmix-test' }, minify: false },
    });
    page = await webgpuPage({ mounts: { '/bundle/': dir } });
  }, 120_000);
  afterAll(async () => {
    await page?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const variant of ['diag', 'full'] as const) {
    it(`${variant}: the device fit equals the CPU fit`, async () => {
      const n = 2500;
      const D = 4;
      const K = 5;
      const rows = columns(mixtureData(n, D, K, 21), n, D);
      const source = `model G = mixture(k = ${K}) of Normal(${variant})\n`;
      const opts = { method: 'em', maxIter: 6, tol: 0, restarts: 1, seed: 3 } as const;
      const cpu = await compile(source).model('G').fit(rows, opts);
      const cpuModel = compile(source).model('G');
      await cpuModel.fit(rows, opts);
      const dev = await page.run(
        async (a: { source: string; rows: Record<string, number[]>; opts: typeof opts }) => {
          const m = await (window as unknown as PageGlobals).pmixImportUrl('/bundle/pmix-test.js');
          const before = m.deviceEMIterations();
          const model = m.compile(a.source).model('G');
          const summary = await model.fit(a.rows, a.opts);
          return { ll: summary.mean_log_likelihood as number, iterations: summary.iterations as number, onDevice: m.deviceEMIterations() - before, params: JSON.stringify(model.params()) };
        },
        { source, rows, opts },
      );
      expect(dev.onDevice).toBe(6);
      expect(dev.iterations).toBe(cpu.iterations);
      expect(Math.abs(dev.ll - cpu.mean_log_likelihood) / Math.abs(cpu.mean_log_likelihood)).toBeLessThan(1e-5);
      // Parameters: every number of the params view agrees to 1e-4 (relative, floor 1e-2).
      const nums = (s: string): number[] => (s.match(/-?\d+(\.\d+)?(e[-+]?\d+)?/g) ?? []).map(Number);
      const want = nums(JSON.stringify(cpuModel.params()));
      const got = nums(dev.params);
      expect(got.length).toBe(want.length);
      got.forEach((v, i) => expect(Math.abs(v - want[i]!) / Math.max(1e-2, Math.abs(want[i]!))).toBeLessThan(1e-4));
    }, 120_000);
  }
});
