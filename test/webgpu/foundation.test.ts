// The WebGPU foundation in headless Chromium (SwiftShader here): the page gets a device, buffers
// round-trip, a kernel runs and its pipeline is compiled once per WGSL text.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, webgpuPage, type PageGlobals, type WebGpuPage } from '../helpers/webgpu-page.js';

describe.skipIf(!hasChromium)('WebGPU foundation in headless Chromium', () => {
  let page: WebGpuPage;
  beforeAll(async () => {
    page = await webgpuPage();
  }, 60_000);
  afterAll(async () => page?.close());

  it('names the adapter', () => {
    expect(page.adapter.length).toBeGreaterThan(0);
    expect(page.adapter).not.toMatch(/^missing/);
  });

  it('uploads, runs a cached kernel twice and reads back', async () => {
    const input = Array.from({ length: 1000 }, (_, i) => (i - 500) / 250);
    const r = await page.run(async (xs: number[]) => {
      const g = window as unknown as PageGlobals;
      const w = await g.pmixImport('runtime/webgpu/index.js');
      const { device } = await g.pmixGpu();
      const wgsl = `@group(0) @binding(0) var<storage, read_write> a: array<f32>;
@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) id: vec3u) { if (id.x < arrayLength(&a)) { a[id.x] = exp(a[id.x]) * 2.0; } }`;
      const buf = w.uploadStorage(device, new Float32Array(xs));
      const before = w.cachedPipelines(device);
      for (let k = 0; k < 2; k++) w.dispatch(device, { pipeline: w.computePipeline(device, wgsl), buffers: [buf], workgroups: Math.ceil(xs.length / 64) });
      const out = await w.readF32(device, buf, xs.length * 4);
      return { out: Array.from(out as Float32Array), compiled: w.cachedPipelines(device) - before };
    }, input);
    expect(r.compiled).toBe(1);
    for (let i = 0; i < input.length; i++) {
      const want = Math.exp(Math.exp(input[i]!) * 2) * 2;
      expect(Math.abs(r.out[i]! - want) / want).toBeLessThan(1e-5);
    }
  });

  it('splits large workgroup counts over two dimensions', async () => {
    const { workgroupGrid } = await import('../../runtime/webgpu/index.js');
    for (const g of [1, 65535, 65536, 200000, 16_000_000]) {
      const [x, y] = workgroupGrid(g);
      expect(x).toBeLessThanOrEqual(65535);
      expect(x * y).toBeGreaterThanOrEqual(g);
      expect(x * y - g).toBeLessThan(y);
    }
  });
});
