// The GPU check: every GPU bench case on a WebGPU device against the CPU path in one run,
// printing the adapter, or exactly what is missing instead of numbers (exit 1). Usage:
//   npm run bench:gpu [-- --quick] [-- --case NAME] [-- --rows N] [-- --json] [-- --browser]
// The device: the optional `webgpu` package (Dawn) in Node when it finds an adapter, else
// headless Chromium (/usr/bin/chromium or PMIX_CHROMIUM; --enable-unsafe-webgpu, and
// --enable-features=Vulkan for a GPU). --browser skips Node's device. No installs, no network.
// A software adapter (SwiftShader) is reported as such: its numbers are no GPU's.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPage } from './lib/webgpu-page.mjs';
import { median } from './lib/stats.mjs';

/** The GPU cases, run in this order (add yours here). */
export const GPU_CASES = ['gpu-gmm-em', 'gpu-circuit-em', 'gpu-circuit-infer', 'gpu-nets'];

function parseArgs(argv) {
  const o = { quick: false, json: false, browser: false, cases: GPU_CASES };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quick') o.quick = true;
    else if (a === '--json') o.json = true;
    else if (a === '--browser') o.browser = true;
    else if (a === '--rows') o.rows = Number(argv[++i]);
    else if (a === '--case') o.cases = (argv[++i] ?? '').split(',');
    else if (a.startsWith('--case=')) o.cases = a.slice(7).split(',');
    else throw new Error(`unknown option ${a} (options: --quick, --case NAME, --rows N, --json, --browser)`);
  }
  const unknown = o.cases.filter((c) => !GPU_CASES.includes(c));
  if (unknown.length) throw new Error(`unknown GPU case ${unknown.join(', ')} (cases: ${GPU_CASES.join(', ')})`);
  return o;
}

const software = (info) => /swiftshader|llvmpipe|lavapipe|software/i.test(`${info?.vendor} ${info?.architecture} ${info?.description}`);
const rel = (a, b) => Math.abs(a - b) / Math.max(1e-300, Math.abs(b));
const fmt = (v, d = 1) => (v === null || v === undefined ? '-' : v.toFixed(d));

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const log = (s) => process.stderr.write(`${s}\n`);
  const webgpu = await import('../dist/runtime/webgpu/index.js');
  let node = o.browser ? { missing: 'skipped (--browser)' } : await webgpu.acquireGpu();
  const where = webgpu.hasDevice(node) ? 'node' : 'chromium';
  if (where === 'node') log(`device: ${webgpu.describeAdapter(node.adapterInfo)} via the webgpu package (Node)`);
  else log(`Node has no WebGPU device: ${node.missing}; trying headless Chromium`);
  const rows = [];
  let adapter = where === 'node' ? node.adapterInfo : undefined;
  for (const name of o.cases) {
    const { default: c } = await import(`./cases/${name}.mjs`);
    for (const p0 of c.params(o.quick)) {
      const p = o.rows ? { ...p0, n: o.rows } : p0;
      const dir = mkdtempSync(join(tmpdir(), `pmix-gpu-${name}-`));
      try {
        log(`[${name}] ${c.title} ${JSON.stringify(p)}`);
        const prepared = c.prepare(dir, p);
        let dev;
        if (where === 'node') {
          const ctx = {
            lib: (path) => import(`../dist/${path}`),
            gpu: async () => node.device,
            bytes: async (f) => {
              const b = readFileSync(join(dir, f));
              return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
            },
            now: () => performance.now(),
          };
          dev = await c.device(ctx, p, prepared.init);
        } else {
          const page = await openPage(dir);
          if (page.missing) {
            const msg = `no WebGPU device: Node: ${node.missing}; ${page.missing}`;
            if (o.json) process.stdout.write(`${JSON.stringify({ ok: false, missing: msg })}\n`);
            log(msg);
            process.exitCode = 1;
            return;
          }
          adapter = page.info;
          log(`device: ${page.adapter} in headless Chromium${software(page.info) ? ' (a software adapter: these are not GPU numbers)' : ''}`);
          try {
            dev = await page.run(c.device, p, prepared.init);
          } finally {
            await page.close();
          }
        }
        const cpu = c.cpu(p, prepared);
        const row = {
          case: name,
          variant: p.variant,
          n: p.n,
          d: p.d,
          k: p.k,
          device_ms: median(dev.samples),
          cpu_ms: median(cpu.samples),
          speedup: median(cpu.samples) / median(dev.samples),
          first_device_ms: dev.first_ms,
          upload_ms: dev.upload_ms,
          ll_rel_diff_first: rel(dev.trace[0], cpu.trace[0]),
          ll_rel_diff_last: rel(dev.trace.at(-1), cpu.trace.at(-1)),
          device_samples: dev.samples,
          cpu_samples: cpu.samples,
        };
        rows.push(row);
        log(`[${name}] ${p.variant}: device ${fmt(row.device_ms)} ms/iter, CPU ${fmt(row.cpu_ms)} ms/iter (x${fmt(row.speedup, 2)}); mean log-lik rel diff ${row.ll_rel_diff_first.toExponential(1)} (first), ${row.ll_rel_diff_last.toExponential(1)} (last)`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  }
  await webgpu.releaseGpu();
  const env = { where, adapter: adapter ?? null, software: software(adapter), node: process.version, cpus: cpus().length, cpu_model: cpus()[0]?.model };
  if (o.json) {
    process.stdout.write(`${JSON.stringify({ ok: true, env, results: rows })}\n`);
    return;
  }
  const adapterLine = adapter ? `${webgpu.describeAdapter(adapter)} via ${where === 'node' ? 'the webgpu package (Node)' : 'headless Chromium'}` : '?';
  process.stdout.write(
    [
      `adapter: ${adapterLine}${env.software ? ' (software: not GPU numbers)' : ''}`,
      `CPU path: ${env.cpus} x ${env.cpu_model}, one thread`,
      '',
      'case          variant  rows      D   K   device ms/iter  CPU ms/iter  speedup  first iter ms  LL rel diff (first, last)',
      ...rows.map(
        (r) =>
          `${r.case.padEnd(13)} ${r.variant.padEnd(8)} ${String(r.n).padEnd(9)} ${String(r.d).padEnd(3)} ${String(r.k).padEnd(3)} ${fmt(r.device_ms).padStart(14)}  ${fmt(r.cpu_ms).padStart(11)}  ${fmt(r.speedup, 2).padStart(7)}  ${fmt(r.first_device_ms).padStart(13)}  ${r.ll_rel_diff_first.toExponential(1)}, ${r.ll_rel_diff_last.toExponential(1)}`,
      ),
      '',
    ].join('\n'),
  );
}

main().catch((e) => {
  process.stderr.write(`bench:gpu failed: ${e.message}\n`);
  process.exitCode = 1;
});
