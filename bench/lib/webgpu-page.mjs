// A headless Chromium page with WebGPU for the GPU bench (bench/gpu.mjs): serves dist/ and one
// data directory over http:// on 127.0.0.1, so a case's device function can import the built
// modules and fetch its data. Flags: --enable-unsafe-webgpu and --headless=new always (SwiftShader
// where there is no GPU), and --enable-features=Vulkan so Chromium uses a Vulkan GPU driver when
// one is installed.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
export const CHROMIUM = process.env.PMIX_CHROMIUM ?? '/usr/bin/chromium';
export const FLAGS = ['--headless=new', '--enable-unsafe-webgpu', '--enable-features=Vulkan', '--ignore-gpu-blocklist', '--no-sandbox', '--disable-background-networking', '--disable-component-update', '--no-first-run'];

const INDEX = `<!doctype html><meta charset="utf-8"><title>pmix gpu bench</title><script>window.__name = (f) => f;</script>`;

function serve(dataDir) {
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    if (path === '/') return res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(INDEX);
    const rel = normalize(path).replace(/^[/\\]+/, '');
    if (rel.includes('..')) return res.writeHead(404).end();
    const file = rel.startsWith('dist/') ? join(REPO, rel) : rel.startsWith('data/') ? join(dataDir, rel.slice(5)) : undefined;
    if (!file) return res.writeHead(404).end();
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': file.endsWith('.js') ? 'text/javascript; charset=utf-8' : 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok({ url: `http://127.0.0.1:${server.address().port}/`, close: () => new Promise((c) => server.close(() => c())) })));
}

/** A function's source as an expression: a method's shorthand `async device(...) {}` becomes `async function device(...) {}`. */
function asExpression(src) {
  return /^(async\s+)?function\b|^(async\s*)?\(|^(async\s+)?[\w$]+\s*=>/.test(src) ? src : src.replace(/^(async\s+)?/, '$1function ');
}

/** Opens the page; returns { adapter } or { missing } (exactly why there is no WebGPU device in Chromium). */
export async function openPage(dataDir) {
  if (!existsSync(CHROMIUM)) return { missing: `no Chromium at ${CHROMIUM} (apt-get install chromium, or set PMIX_CHROMIUM)` };
  let chromium;
  try {
    ({ chromium } = await import('playwright-core'));
  } catch {
    return { missing: 'playwright-core is not installed (npm ci installs it as a devDependency)' };
  }
  const server = await serve(dataDir);
  const browser = await chromium.launch({ executablePath: CHROMIUM, ignoreDefaultArgs: ['--headless'], args: FLAGS });
  const page = await browser.newPage();
  const close = async () => {
    await browser.close();
    await server.close();
  };
  await page.goto(server.url);
  const probe = await page.evaluate(async () => {
    const m = await import('/dist/runtime/webgpu/index.js');
    const g = await m.acquireGpu();
    return 'device' in g ? { adapter: m.describeAdapter(g.adapterInfo), info: g.adapterInfo } : { missing: g.missing };
  });
  if (probe.missing) {
    await close();
    return { missing: `headless Chromium: ${probe.missing}` };
  }
  return {
    adapter: probe.adapter,
    info: probe.info,
    /** Runs a case's device function (self-contained, sent as text) in the page. */
    run: (fn, p, prepared) =>
      page.evaluate(
        async ({ src, p, prepared }) => {
          const ctx = {
            lib: (path) => import(`/dist/${path}`),
            gpu: async () => (await (await import('/dist/runtime/webgpu/index.js')).acquireGpu()).device,
            bytes: async (name) => (await fetch(`/data/${name}`)).arrayBuffer(),
            now: () => performance.now(),
          };
          return (0, eval)(`(${src})`)(ctx, p, prepared);
        },
        { src: asExpression(fn.toString()), p, prepared },
      ),
    close,
  };
}
