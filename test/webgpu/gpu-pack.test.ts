// `npm run gpu:pack` (scripts/gpu-pack.mjs): the packed GPU check must run from a folder with no
// node_modules above it, as on a lent GPU machine with no network. Needs dist/ (npm run build).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REPO = join(__dirname, '../..');
// NODE_PATH empty: nothing outside the pack may satisfy an import.
const env = { ...process.env, NODE_PATH: '' };

describe('gpu:pack', () => {
  let root: string;
  let pack: string;
  let packOut: ReturnType<typeof spawnSync>;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'pmix-gpu-pack-'));
    pack = join(root, '.gpu-check');
    packOut = spawnSync(process.execPath, ['scripts/gpu-pack.mjs', '--out', pack], { cwd: REPO, env, encoding: 'utf8' });
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('writes the pack under the size limit and says how big it is', () => {
    expect(packOut.stderr).toBe('');
    expect(packOut.status).toBe(0);
    const size = (p: string): number => (statSync(p).isDirectory() ? readdirSync(p).reduce((s, f) => s + size(join(p, f)), 0) : statSync(p).size);
    const mib = size(pack) / 2 ** 20;
    expect(mib).toBeLessThan(60);
    const printed = Number(/is ([\d.]+) MiB/.exec(String(packOut.stdout))?.[1]);
    expect(Math.abs(printed - mib)).toBeLessThan(0.1);
    // The Dawn build for linux-x64 only, not the other four platforms' (about 110 MB).
    expect(readdirSync(join(pack, 'node_modules/webgpu/dist'))).toEqual(['linux-x64']);
    expect(existsSync(join(root, 'node_modules'))).toBe(false);
  });

  it('loads every module and package the check uses from inside itself', () => {
    // Import the cases (they pull in dist/ and bench/lib/), the Chromium page, and resolve the two
    // packages that are loaded lazily, from where dist/ loads them.
    const probe = join(pack, 'probe.mjs');
    writeFileSync(
      probe,
      [
        "import { readdirSync } from 'node:fs';",
        "for (const f of readdirSync(new URL('./bench/cases/', import.meta.url))) await import(`./bench/cases/${f}`);",
        "await import('./bench/lib/webgpu-page.mjs');",
        "const from = new URL('./dist/runtime/webgpu/device.js', import.meta.url).href;",
        "const { createRequire } = await import('node:module');",
        "const req = createRequire(from);",
        "console.log(JSON.stringify({ webgpu: req.resolve('webgpu'), playwright: req.resolve('playwright-core'), webgpuIndex: typeof (await import(new URL('./node_modules/webgpu/index.js', import.meta.url))).create }));",
      ].join('\n'),
    );
    const r = spawnSync(process.execPath, [probe], { cwd: root, env, encoding: 'utf8' });
    expect(r.stderr).not.toMatch(/Cannot find|ERR_MODULE_NOT_FOUND/);
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
    expect(out.webgpu.startsWith(pack)).toBe(true);
    expect(out.playwright.startsWith(pack)).toBe(true);
    expect(out.webgpuIndex).toBe('function');
  });

  it('run.mjs says exactly what is missing and exits 1 where there is no device', () => {
    // --browser skips Node's device and a Chromium path that does not exist: no device anywhere.
    const r = spawnSync(process.execPath, ['.gpu-check/run.mjs', '--quick', '--browser', '--json'], {
      cwd: root,
      env: { ...env, PMIX_CHROMIUM: join(root, 'no-chromium') },
      encoding: 'utf8',
    });
    expect(r.stderr).not.toMatch(/Cannot find|ERR_MODULE_NOT_FOUND|\n\s+at /);
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stdout)).toEqual({ ok: false, missing: `no WebGPU device: Node: skipped (--browser); no Chromium at ${join(root, 'no-chromium')} (apt-get install chromium, or set PMIX_CHROMIUM)` });
  });

  // run.sh, for a machine that may have no Node: a PATH with only the tools it names.
  const fakePath = (tools: string[]) => {
    const bin = mkdtempSync(join(root, 'bin-'));
    for (const t of tools) {
      const w = spawnSync('sh', ['-c', `command -v ${t}`], { encoding: 'utf8' }).stdout.trim();
      if (w) symlinkSync(w, join(bin, t));
    }
    return bin;
  };

  it('run.sh says so where there is no Node on PATH and none packed', () => {
    const r = spawnSync('/bin/sh', [join(pack, 'run.sh'), '--quick'], { cwd: root, env: { ...env, PATH: fakePath([]) }, encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe('gpu check: no Node >= 20 on PATH, and this pack carries none (build it with npm run gpu:pack -- --node)');
  });

  const hasXz = spawnSync('sh', ['-c', 'command -v xz'], { encoding: 'utf8' }).status === 0;
  it.skipIf(!hasXz)('run.sh unpacks the packed node.xz, puts the packed Vulkan loader on LD_LIBRARY_PATH, runs run.mjs with the options, and removes the binary', () => {
    // A stand-in for the Node binary (compressing the real one takes about a minute).
    const fake = join(root, 'fake-node');
    writeFileSync(fake, '#!/bin/sh\nif [ "$1" = --version ]; then echo v99-fake; else echo "fake-node $* LD=$LD_LIBRARY_PATH"; fi\n');
    // A packed Vulkan loader (--vulkan) goes on LD_LIBRARY_PATH where ldconfig knows none (none on this PATH).
    mkdirSync(join(pack, 'vulkan'));
    writeFileSync(join(pack, 'vulkan/libvulkan.so.1'), '');
    writeFileSync(join(pack, 'node.xz'), execFileSync('xz', ['-c', fake]));
    const tmp = join(root, 'tmp');
    mkdirSync(tmp);
    try {
      const r = spawnSync('/bin/sh', [join(pack, 'run.sh'), '--quick', '--json'], { cwd: root, env: { ...env, PATH: fakePath(['xz', 'chmod', 'rm', 'grep']), TMPDIR: tmp }, encoding: 'utf8' });
      expect(r.stderr.trim().split('\n')).toEqual(['gpu check: no libvulkan.so.1 installed; using the packed one', 'gpu check: no Node >= 20 on PATH; using the packed one (v99-fake)']);
      expect(r.stdout.trim()).toBe(`fake-node ${join(pack, 'run.mjs')} --quick --json LD=${join(pack, 'vulkan')}`);
      expect(r.status).toBe(0);
      expect(readdirSync(tmp)).toEqual([]);
    } finally {
      rmSync(join(pack, 'node.xz'));
      rmSync(join(pack, 'vulkan'), { recursive: true });
    }
  });
});
