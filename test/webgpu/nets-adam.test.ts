// Adam on integral circuits with the nets on the WebGPU device (the browser API in headless
// Chromium on SwiftShader, useWebGpu) gives the CPU fit's (Node, float64) mean log-likelihood
// to 1e-5 relative after a few epochs (measured: 1e-9 and 3e-8), and says it ran there; in Node without a device the same
// fit runs on the CPU and fitBackend says why. Also model.logProbAsync (api/log-prob-device.ts):
// a circuit's log-likelihoods on the device equal logProb's, and the CPU answers where it must.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile, fitBackend, queryBackend } from '../../api/index.js';
import { digitsRows } from '../helpers/gpu-circuits.js';
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

  it('logProbAsync in Node without a device: the CPU answer; backend webgpu is an error naming what is missing', async () => {
    const m = compile(CASES[0]!.source).model('M');
    await m.fit(CASES[0]!.rows, opts);
    const rows = CASES[0]!.rows.slice(0, 20);
    await expect(m.logProbAsync(rows, { backend: 'webgpu' })).rejects.toThrow(/no WebGPU device: /);
    expect(Array.from(await m.logProbAsync(rows))).toEqual(Array.from(m.logProb(rows)));
    expect(queryBackend().why).toMatch(/20 rows \(backend auto takes the device from 4096 rows\)/);
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

  it('logProbAsync of a circuit on the device equals logProb on the CPU to 1e-5 relative (missing cells too)', async () => {
    const { x, n, names } = digitsRows(500);
    const rows = Array.from({ length: n }, (_, i) => Object.fromEntries(names.map((nm, j) => [nm, i % 7 === 0 && j % 5 === 0 ? null : x[i * names.length + j]!])));
    const source = 'model D = circuit { region quad_tree(width = 8, arity = 4) inputs Bernoulli sum(units = 20) product hadamard }';
    const out = await page.run(
      async (a: { source: string; rows: Record<string, number | null>[] }) => {
        const m = await (window as unknown as PageGlobals).pmixImportUrl('/bundle/pmix-nets.js');
        await m.useWebGpu();
        const model = m.compile(a.source).model('D');
        await model.fit(a.rows.slice(0, 200).map((r: Record<string, number | null>) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v ?? 0]))), { method: 'em', maxIter: 3, seed: 2 });
        const dev = Array.from(await model.logProbAsync(a.rows, { backend: 'webgpu' }) as Float64Array);
        const ran = m.queryBackend();
        const auto = await model.logProbAsync(a.rows.slice(0, 10));
        const autoRan = m.queryBackend();
        return { dev, cpu: Array.from(model.logProb(a.rows) as Float64Array), ran, autoRan, autoSame: Array.from(auto as Float64Array).every((v, i) => v === (model.logProb(a.rows.slice(0, 10)) as Float64Array)[i]) };
      },
      { source, rows },
    );
    expect(out.ran.backend, out.ran.why).toBe('webgpu');
    expect(out.autoRan.backend).toBe('cpu');
    expect(out.autoSame).toBe(true);
    expect(out.dev.length).toBe(n);
    let worst = 0;
    out.dev.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - out.cpu[i]!) / Math.max(1, Math.abs(out.cpu[i]!)))));
    expect(worst).toBeLessThan(1e-5);
  }, 180_000);

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
