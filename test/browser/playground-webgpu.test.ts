// The playground fits the digits circuit on WebGPU where the browser has an adapter (headless
// Chromium with --enable-unsafe-webgpu: SwiftShader here) and on the CPU kernels where it has
// none (the default flags), and says which on the page; both fits agree (float32 device
// E-steps, float64 M-steps) and equal the Node API's CPU fit closely. A small circuit and few
// iterations: SwiftShader is an emulator. Screenshots go to test-artifacts/.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../../api/index.js';
import { serveDir } from './static-server.js';
import { builtPlayground } from '../helpers/playground-build.js';
import { CHROMIUM, hasChromium, WEBGPU_FLAGS } from '../helpers/webgpu-page.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const ARTIFACTS = join(REPO, 'test-artifacts');

// The shipped example with a smaller circuit, fewer rows' worth of work and one fit.
const MODEL = readFileSync(join(REPO, 'examples/digits.pmix'), 'utf8')
  .replace('sum(units = 32)', 'sum(units = 8)')
  .replace('em(max_iter = 40, smoothing = 0.01, seed = 1)', 'em(max_iter = 3, tol = 0, smoothing = 0.01, seed = 1)')
  .replace(/^fit Mixture .*$/m, '')
  .replace(/^query Digits: mode.*$/m, '');

describe.skipIf(!hasChromium)('playground: the digits circuit on WebGPU and on the CPU', () => {
  let tmp: string;
  let server: { url: string; close: () => Promise<void> };
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'pmix-playground-gpu-'));
    server = await serveDir(await builtPlayground()); // shared with the other playground tests (read only)
  }, 120_000);

  afterAll(async () => {
    for (const c of contexts) await c.close();
    await server?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  async function fitIn(name: string, args: string[], headless: boolean): Promise<{ page: Page; ll: number; backend: string; errors: string[] }> {
    const context = await chromium.launchPersistentContext(join(tmp, `profile-${name}`), {
      executablePath: CHROMIUM, headless, args, ignoreDefaultArgs: headless ? [] : ['--headless'], viewport: { width: 1400, height: 1000 },
    });
    contexts.push(context);
    const page = context.pages()[0] ?? (await context.newPage());
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(server.url);
    await page.selectOption('#example', 'digits');
    await page.waitForSelector('body[data-example="digits"]', { timeout: 20_000 });
    await page.click('#source');
    await page.keyboard.press('Control+A');
    await page.keyboard.insertText(MODEL);
    await page.waitForSelector('#diagnostics:has-text("no problems")', { timeout: 20_000 });
    await page.click('#fit');
    await page.waitForSelector('#fit-status[data-state="done"], #fit-status[data-state="failed"]', { timeout: 240_000 });
    expect(await page.getAttribute('#fit-status', 'data-state'), (await page.textContent('#summary')) ?? '').toBe('done');
    const ll = Number(await page.getAttribute('#summary', 'data-mean-log-likelihood'));
    const backend = (await page.textContent('#backend')) ?? '';
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, `playground-digits-${name}.png`), fullPage: true });
    return { page, ll, backend, errors };
  }

  it('fits on WebGPU with the adapter shown, and on the CPU without WebGPU, to the same log-likelihood', async () => {
    // Headless (new) with WebGPU's flags: an adapter (SwiftShader on these machines).
    const gpu = await fitIn('webgpu', [...WEBGPU_FLAGS.filter((f) => f !== '--headless=new'), '--headless=new'], false);
    expect(gpu.backend).toMatch(/^backend: webgpu \(.+\)$/);
    expect(await gpu.page.getAttribute('#backend', 'data-backend')).toBe('webgpu');
    // Default headless Chromium with the GPU off: no adapter, the CPU kernels.
    const cpu = await fitIn('cpu', ['--no-sandbox', '--disable-gpu'], true);
    expect(cpu.backend).toBe('backend: cpu');
    expect(await cpu.page.getAttribute('#backend', 'data-backend')).toBe('cpu');
    expect(await cpu.page.getAttribute('#backend', 'title')).toMatch(/no WebGPU/);
    const node = compile(MODEL, { file: join(REPO, 'examples', 'digits-gpu-test.pmix') }).run();
    const want = node.fits[0]!.mean_log_likelihood;
    expect(cpu.ll).toBeCloseTo(want, 9);
    expect(Math.abs(gpu.ll - want) / Math.abs(want)).toBeLessThan(1e-5);
    expect(gpu.ll).not.toBe(cpu.ll); // float32 on the device: not bit-equal, so the device really ran
    expect(await gpu.page.textContent('#answers')).toMatch(/p\(p27 = 1/);
    expect([...gpu.errors, ...cpu.errors]).toEqual([]);
  }, 600_000);
});
