// A headless Chromium page with WebGPU (SwiftShader where there is no GPU) that can import
// the built modules under dist/: the WGSL kernels are tested here, in CI, without a GPU.
// One server and one browser per test file: `const page = await webgpuPage()` in beforeAll,
// `await page.run(fn, args)` in tests, `await page.close()` in afterAll.
// Inside fn, import built modules with `await pmixImport('runtime/webgpu/index.js')` (a path
// under dist/; a mount's files with pmixImportUrl('/prefix/file.js')) and get the device with `await pmixGpu()`; fn must be self-contained (it is
// sent to the page as text) and its arguments and result must be JSON-serializable (typed
// arrays: pass Array.from(...)).
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);
const REPO = fileURLToPath(new URL('../..', import.meta.url));
export const DIST = join(REPO, 'dist');

/** The flags that give headless Chromium a WebGPU adapter (../shared/tools/webgpu-smoke.cjs). */
export const WEBGPU_FLAGS = ['--headless=new', '--enable-unsafe-webgpu', '--enable-features=Vulkan', '--no-sandbox', '--disable-background-networking', '--disable-component-update', '--no-first-run'];

// The page: a real origin (WebGPU refuses about:blank), an importer for dist/ modules, and a
// no-op __name (esbuild's keepNames helper, which vitest may insert into functions sent here).
const INDEX = `<!doctype html><meta charset="utf-8"><title>pmix webgpu</title><script>
window.__name = (f) => f;
window.pmixImport = (p) => import('/dist/' + p);
window.pmixImportUrl = (u) => import(u);
window.pmixGpu = async () => {
  const m = await import('/dist/runtime/webgpu/index.js');
  const g = await m.acquireGpu();
  if (!('device' in g)) throw new Error('no WebGPU device in the page: ' + g.missing);
  return g;
};
</script>`;

const TYPES: Record<string, string> = { '.js': 'text/javascript; charset=utf-8', '.map': 'application/json', '.json': 'application/json' };

/** Serves the page at /, dist/ under /dist/ and each mount (URL prefix -> directory), nothing else of the repo. */
async function serveDist(mounts: Record<string, string>): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    if (path === '/' || path === '/index.html') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(INDEX);
      return;
    }
    const rel = normalize(path).replace(/^([/\\])+/, '');
    const mount = Object.entries(mounts).find(([prefix]) => `/${rel}`.startsWith(prefix));
    if (mount && !rel.includes('..')) {
      try {
        const body = await readFile(join(mount[1], `/${rel}`.slice(mount[0].length)));
        res.writeHead(200, { 'content-type': TYPES[extname(rel)] ?? 'application/octet-stream' }).end(body);
      } catch {
        res.writeHead(404).end('not found');
      }
      return;
    }
    if (!rel.startsWith('dist/') || rel.includes('..')) {
      res.writeHead(404).end('not found');
      return;
    }
    try {
      const body = await readFile(join(REPO, rel));
      res.writeHead(200, { 'content-type': TYPES[extname(rel)] ?? 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((ok) => server.close(() => ok())) };
}

export interface WebGpuPage {
  /** The adapter the page got, e.g. "google swiftshader (...)". */
  readonly adapter: string;
  run<A, R>(fn: (args: A) => Promise<R> | R, args: A): Promise<R>;
  close(): Promise<void>;
}

export async function webgpuPage(opts: { extraArgs?: string[]; mounts?: Record<string, string> } = {}): Promise<WebGpuPage> {
  if (!existsSync(join(DIST, 'runtime/webgpu/index.js'))) throw new Error('dist/runtime/webgpu is not built: run npm run build first');
  const server = await serveDist(opts.mounts ?? {});
  let browser: Browser | undefined;
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM, ignoreDefaultArgs: ['--headless'], args: [...WEBGPU_FLAGS, ...(opts.extraArgs ?? [])] });
    const page: Page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(server.url);
    const adapter = await page.evaluate(async () => {
      const m = await (window as unknown as { pmixImport: (p: string) => Promise<Record<string, (...a: unknown[]) => unknown>> }).pmixImport('runtime/webgpu/index.js');
      const g = (await m.acquireGpu!()) as { adapterInfo?: unknown; missing?: string };
      return g.adapterInfo ? String(m.describeAdapter!(g.adapterInfo)) : `missing: ${g.missing}`;
    });
    if (adapter.startsWith('missing: ')) throw new Error(`headless Chromium has no WebGPU device: ${adapter.slice(9)}`);
    const b = browser;
    return {
      adapter,
      run: async <A, R>(fn: (args: A) => Promise<R> | R, args: A): Promise<R> => {
        const out = (await page.evaluate(fn as (a: A) => Promise<R>, args)) as R;
        if (errors.length > 0) throw new Error(`page errors: ${errors.join('; ')}`);
        return out;
      },
      close: async () => {
        await b.close();
        await server.close();
      },
    };
  } catch (e) {
    await browser?.close();
    await server.close();
    throw e;
  }
}

/** The globals the page defines, for typing the functions sent to it. */
export type PageGlobals = {
  pmixImport: (path: string) => Promise<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** Imports any URL the page serves (a mount's bundle): a literal import() would be rewritten by vitest. */
  pmixImportUrl: (url: string) => Promise<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  pmixGpu: () => Promise<{ device: GPUDevice; adapterInfo: { vendor: string; architecture: string; description: string } }>;
};
