// Adam on integral circuits with the nets on the WebGPU device (the browser API in headless
// Chromium on SwiftShader, useWebGpu) gives the CPU fit's (Node, float64) mean log-likelihood
// to 1e-5 relative after a few epochs (measured: 1e-9 and 3e-8), and says it ran there; in Node without a device the same
// fit runs on the CPU and fitBackend says why.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile, fitBackend } from '../../api/index.js';
import { Rng } from '../../stdlib/random.js';
import { hasChromium, webgpuPage, type PageGlobals, type WebGpuPage } from '../helpers/webgpu-page.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));

const rng = new Rng(9);
const waveRows = Array.from({ length: 300 }, () => ({ x: Math.tanh(2 * (2 * rng.uniform() - 1)) + 0.2 * rng.normal() }));
const bitRows = Array.from({ length: 300 }, () => {
  const a = rng.uniform() < 0.5;
  return Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`b${i}`, (rng.uniform() < (a ? 0.8 : 0.25)) === (i % 2 === 0) ? 1 : 0]));
});

const CASES = [
  {
    what: 'a continuous mixture (nets for mean and sd, tanh)',
    source: 'model M = integral z: real in [-1, 1] by gauss_legendre(points = 16) of Normal(mean = mlp(hidden = 8, layers = 2, activation = tanh), sd = mlp(hidden = 4, layers = 1))',
    rows: waveRows,
  },
  {
    what: 'a PIC over a random tree (Bernoulli inputs, sin features, composite sharing)',
    source: 'model M = circuit { region random_tree(depth = 2, seed = 1)  inputs Bernoulli  integral gauss_legendre(points = 6)  net mlp(hidden = 12, layers = 2, activation = sin)  sharing composite  product hadamard }',
    rows: bitRows,
  },
];
const opts = { method: 'adam', epochs: 3, batch: 100, lr: 0.01, seed: 4 } as const;

describe('Adam on integral circuits with the nets on the device', () => {
  it('in Node without a device: the CPU nets, and fitBackend says why', async () => {
    const m = compile(CASES[0]!.source).model('M');
    await m.fit(CASES[0]!.rows, opts);
    const b = fitBackend();
    expect(b.backend).toBe('cpu');
    expect(b.why).toMatch(/no WebGPU device/);
  });
});

describe.skipIf(!hasChromium)('Adam on integral circuits on the WebGPU device (headless Chromium)', () => {
  let page: WebGpuPage;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pmix-nets-adam-'));
    await build({
      configFile: false,
      root: REPO,
      logLevel: 'silent',
      define: { 'process.env.NODE_ENV': '"production"' },
      build: { outDir: dir, emptyOutDir: true, lib: { entry: join(REPO, 'test/webgpu/nets-entry.ts'), formats: ['es'], fileName: 'pmix-nets' }, minify: false },
    });
    page = await webgpuPage({ mounts: { '/bundle/': dir } });
  }, 180_000);
  afterAll(async () => {
    await page?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  for (const c of CASES) {
    it(`${c.what}: the device fit's log-likelihood equals the CPU fit's`, async () => {
      const cpu = await compile(c.source).model('M').fit(c.rows, opts);
      const dev = await page.run(
        async (a: { source: string; rows: Record<string, number>[]; opts: typeof opts }) => {
          const m = await (window as unknown as PageGlobals).pmixImportUrl('/bundle/pmix-nets.js');
          const gpu = await m.useWebGpu();
          const summary = await m.compile(a.source).model('M').fit(a.rows, a.opts);
          return { gpu: gpu.backend as string, ll: summary.mean_log_likelihood as number, ran: m.fitBackend() as { backend: string; why?: string } };
        },
        { source: c.source, rows: c.rows, opts },
      );
      expect(dev.gpu).toBe('webgpu');
      expect(dev.ran.backend, dev.ran.why).toBe('webgpu');
      expect(Math.abs(dev.ll - cpu.mean_log_likelihood) / Math.abs(cpu.mean_log_likelihood)).toBeLessThan(1e-5);
    }, 180_000);
  }
});
