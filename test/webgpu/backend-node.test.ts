// The compute backend choice in Node: names parsed (old TensorFlow.js names kept), auto falls
// back to cpu with the reason where there is no adapter (here), webgpu without one refuses
// clearly, and `pmix --version` loads neither the webgpu package nor TensorFlow.js.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { chooseCompute, parseBackend } from '../../runtime/backend/compute.js';
import { PmixError } from '../../runtime/errors.js';
import { acquireGpu, hasDevice, releaseGpu } from '../../runtime/webgpu/index.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = join(root, 'dist/cli/main.js');
const tmp = mkdtempSync(join(tmpdir(), 'pmix-backend-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function pmix(args: string[], env: Record<string, string> = {}, nodeArgs: string[] = []): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [...nodeArgs, bin, ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, PMIX_BACKEND: '', ...env } });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

const fakeDevice = { device: {} as GPUDevice, adapterInfo: { vendor: 'nvidia', architecture: 'hopper', description: 'NVIDIA H100', via: 'webgpu package' as const } };

describe('parseBackend', () => {
  it('reads the compute names and keeps the TensorFlow.js names working', () => {
    expect(parseBackend(undefined)).toEqual({ compute: 'auto', source: 'PMIX_BACKEND' });
    expect(parseBackend('')).toMatchObject({ compute: 'auto' });
    expect(parseBackend('AUTO')).toMatchObject({ compute: 'auto' });
    expect(parseBackend('cpu')).toMatchObject({ compute: 'cpu', tensor: 'cpu' });
    expect(parseBackend('webgpu', '--backend')).toEqual({ compute: 'webgpu', source: '--backend' });
    expect(parseBackend('wasm')).toMatchObject({ compute: 'auto', tensor: 'wasm' });
    expect(parseBackend('tensorflow')).toMatchObject({ compute: 'auto', tensor: 'tensorflow' });
  });

  it('refuses an unknown name, naming the place and the choices', () => {
    expect(() => parseBackend('cuda', '--backend')).toThrow(PmixError);
    expect(() => parseBackend('cuda', '--backend')).toThrow("--backend: unknown backend 'cuda' (choose auto, cpu or webgpu");
  });
});

describe('chooseCompute', () => {
  const none = async () => ({ missing: 'no WebGPU adapter: the Vulkan loader libvulkan.so.1 is not installed' });
  const some = async () => fakeDevice;

  it('auto: webgpu where a device is found and the model has a device path, else cpu with the reason', async () => {
    const auto = parseBackend('auto');
    expect(await chooseCompute(auto, true, some)).toMatchObject({ name: 'webgpu', requested: 'auto', reason: 'adapter nvidia hopper (NVIDIA H100) via webgpu package' });
    expect(await chooseCompute(auto, false, some)).toMatchObject({ name: 'cpu', reason: expect.stringMatching(/^this model has no WebGPU path yet/) });
    expect(await chooseCompute(auto, true, none)).toMatchObject({ name: 'cpu', reason: 'no WebGPU device: no WebGPU adapter: the Vulkan loader libvulkan.so.1 is not installed' });
  });

  it('cpu never looks for a device; webgpu without one says why it cannot', async () => {
    let looked = false;
    expect(await chooseCompute(parseBackend('cpu'), true, async () => ((looked = true), fakeDevice))).toMatchObject({ name: 'cpu', reason: 'requested by PMIX_BACKEND' });
    expect(looked).toBe(false);
    await expect(chooseCompute(parseBackend('webgpu'), true, none)).rejects.toThrow('PMIX_BACKEND=webgpu, but there is no WebGPU device: no WebGPU adapter: the Vulkan loader libvulkan.so.1');
    expect(await chooseCompute(parseBackend('webgpu'), true, some)).toMatchObject({ name: 'webgpu', reason: expect.stringMatching(/^requested by PMIX_BACKEND; adapter nvidia hopper/) });
  });
});

describe('pmix info and the backend on this machine', () => {
  it('reports the compute backend: auto falls back to cpu here with exactly what is missing', async () => {
    const a = await acquireGpu();
    await releaseGpu();
    const r = pmix(['info', '--json']);
    expect(r.code).toBe(0);
    const o = JSON.parse(r.out);
    if (hasDevice(a)) {
      expect(o.compute).toMatchObject({ backend: 'webgpu', adapter: { vendor: a.adapterInfo.vendor } });
      return;
    }
    expect(o.compute).toEqual({ backend: 'cpu', requested: 'auto', reason: `no WebGPU device: ${a.missing}`, missing: a.missing });
    const text = pmix(['info']);
    expect(text.out).toContain(`compute backend: cpu (auto: no WebGPU device: ${a.missing})`);
  });

  it('PMIX_BACKEND=webgpu without an adapter refuses with the reason and exit 1, no stack trace', async () => {
    const a = await acquireGpu();
    await releaseGpu();
    if (hasDevice(a)) return;
    const r = pmix(['info'], { PMIX_BACKEND: 'webgpu' });
    expect(r.code).toBe(1);
    expect(r.err).toContain(`error: PMIX_BACKEND=webgpu, but there is no WebGPU device: ${a.missing}`);
    expect(r.err).not.toMatch(/\n\s+at /);
    const bad = pmix(['info', '--backend', 'cuda']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/^error: --backend: unknown backend 'cuda'/);
  });

  it('fit and run take --backend: webgpu without a device refuses with the reason, cpu wins over PMIX_BACKEND', async () => {
    const a = await acquireGpu();
    await releaseGpu();
    const model = join(root, 'examples/penguins.pmix');
    const out = join(tmp, 'm.json');
    if (!hasDevice(a)) {
      const r = pmix(['fit', model, '--out', out, '--backend', 'webgpu']);
      expect(r.code).toBe(1);
      expect(r.err).toContain(`error: --backend=webgpu, but there is no WebGPU device: ${a.missing}`);
      const env = pmix(['run', model, '--no-progress'], { PMIX_BACKEND: 'webgpu' });
      expect(env.code).toBe(1);
      expect(env.err).toContain('error: PMIX_BACKEND=webgpu, but there is no WebGPU device');
    }
    const bad = pmix(['fit', model, '--out', out, '--backend', 'cuda']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/^error: --backend: unknown backend 'cuda'/);
    const cpu = pmix(['run', model, '--no-progress', '--backend', 'cpu', '--json'], { PMIX_BACKEND: 'webgpu' });
    expect(cpu.code).toBe(0);
    const auto = pmix(['run', model, '--no-progress', '--json']);
    expect(JSON.parse(cpu.out).fits[0].mean_log_likelihood).toBe(JSON.parse(auto.out).fits[0].mean_log_likelihood);
  });

  it('pmix --version loads neither the webgpu package nor TensorFlow.js', () => {
    const hook = join(tmp, 'hook.mjs');
    const log = join(tmp, 'resolved.txt');
    writeFileSync(hook, `import { register } from 'node:module';\nregister('data:text/javascript,' + encodeURIComponent(${JSON.stringify(
      `import { appendFileSync } from 'node:fs';\nexport async function resolve(s, c, next) { appendFileSync(${JSON.stringify(log)}, s + '\\n'); return next(s, c); }`,
    )}));\n`);
    const r = pmix(['--version'], {}, ['--import', hook]);
    expect(r.code).toBe(0);
    const resolved = spawnSync('cat', [log], { encoding: 'utf8' }).stdout.split('\n');
    // the hook saw the CLI's own imports (the CLI is a bundle with commander inlined; --version
    // loads the entry and rolldown's runtime chunk, scripts/bundle-cli.mjs)
    expect(resolved.some((s) => /^\.\/bundle\/rolldown-runtime-[\w-]+\.js$/.test(s))).toBe(true);
    expect(resolved.filter((s) => s === 'webgpu' || s.startsWith('@tensorflow/'))).toEqual([]);
    // and info does reach TensorFlow.js (the hook would see it)
    rmSync(log);
    pmix(['info'], {}, ['--import', hook]);
    expect(spawnSync('cat', [log], { encoding: 'utf8' }).stdout).toMatch(/@tensorflow\/tfjs-core/);
  });
});
