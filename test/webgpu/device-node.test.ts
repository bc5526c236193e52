// Device acquisition in Node never throws: here (no Vulkan) it says exactly what is missing;
// the Linux probe names the loader, the ICD files and the NVIDIA driver on fake file trees.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { acquireGpu, diagnoseLinuxVulkan, hasDevice, releaseGpu } from '../../runtime/webgpu/index.js';

const roots: string[] = [];
function tree(files: string[]): string {
  const root = mkdtempSync(join(tmpdir(), 'pmix-vk-'));
  roots.push(root);
  for (const f of files) {
    mkdirSync(join(root, f, '..'), { recursive: true });
    writeFileSync(join(root, f), '{}');
  }
  return root;
}
afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

describe.runIf(process.platform === 'linux')('the Linux Vulkan probe', () => {
  const env = { ...process.env };
  afterAll(() => {
    process.env = env;
  });
  const clean = (): void => {
    delete process.env.LD_LIBRARY_PATH;
    delete process.env.VK_ICD_FILENAMES;
    delete process.env.VK_DRIVER_FILES;
  };

  it('names the loader and the ICD when neither is there', () => {
    clean();
    const d = diagnoseLinuxVulkan(tree([]));
    expect(d.missing).toHaveLength(2);
    expect(d.missing[0]).toMatch(/libvulkan\.so\.1/);
    expect(d.missing[1]).toMatch(/ICD file\) under \/usr\/share\/vulkan\/icd\.d or \/etc\/vulkan\/icd\.d$/);
  });

  it('names the NVIDIA driver where the machine has an NVIDIA GPU and no ICD', () => {
    clean();
    const d = diagnoseLinuxVulkan(tree(['usr/lib/x86_64-linux-gnu/libvulkan.so.1', 'dev/nvidia0']));
    expect(d.missing).toHaveLength(1);
    expect(d.missing[0]).toMatch(/NVIDIA driver .*nvidia_icd\.json/);
  });

  it('finds nothing missing with a loader and an NVIDIA ICD, and notes a software-only ICD', () => {
    clean();
    expect(diagnoseLinuxVulkan(tree(['usr/lib/x86_64-linux-gnu/libvulkan.so.1', 'dev/nvidia0', 'usr/share/vulkan/icd.d/nvidia_icd.json']))).toEqual({ missing: [], notes: [] });
    const soft = diagnoseLinuxVulkan(tree(['usr/lib/libvulkan.so.1', 'etc/vulkan/icd.d/lvp_icd.x86_64.json']));
    expect(soft.missing).toEqual([]);
    expect(soft.notes[0]).toMatch(/only software Vulkan drivers found \(lvp_icd\.x86_64\.json\)/);
    const nv = diagnoseLinuxVulkan(tree(['usr/lib/libvulkan.so.1', 'dev/nvidia0', 'etc/vulkan/icd.d/lvp_icd.x86_64.json']));
    expect(nv.notes[0]).toMatch(/NVIDIA GPU but no NVIDIA Vulkan ICD/);
  });
});

describe('acquireGpu in Node', () => {
  it('resolves (never throws) to a device or a reason, and the reason matches the probe', async () => {
    const a = await acquireGpu();
    if (hasDevice(a)) {
      expect(a.adapterInfo.via).toBe('webgpu package');
      await releaseGpu();
      return;
    }
    expect(a.missing.length).toBeGreaterThan(10);
    const probe = diagnoseLinuxVulkan();
    if (probe.missing.length > 0) expect(a.missing).toBe(`no WebGPU adapter: ${probe.missing.join('; ')}`);
    else expect(a.missing).toMatch(/'webgpu' package/);
  });
});
