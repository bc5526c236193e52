/// <reference types="@webgpu/types" />
// Gets a WebGPU device where one exists: navigator.gpu in a browser, else the optional `webgpu`
// npm package (Dawn) in Node, loaded lazily. Never throws: where no device can be had, the
// answer says exactly why (package not installed, no adapter, and on Linux which piece of the
// Vulkan stack is missing), so callers fall back to the CPU path and `pmix info` can say why.
// Browser-safe: no Node import here (Node's fs is reached through process.getBuiltinModule).
import { diagnoseLinuxVulkan } from './vulkan-probe.js';

export interface GpuAdapterInfo {
  readonly vendor: string;
  readonly architecture: string;
  readonly description: string;
  /** Where the device came from. */
  readonly via: 'navigator.gpu' | 'webgpu package';
}

export interface GpuDevice {
  readonly device: GPUDevice;
  readonly adapterInfo: GpuAdapterInfo;
}

export interface GpuMissing {
  readonly missing: string;
}

export type GpuAcquisition = GpuDevice | GpuMissing;

export const hasDevice = (a: GpuAcquisition): a is GpuDevice => 'device' in a;

/** One line naming the adapter, e.g. "nvidia hopper (NVIDIA H100)". */
export function describeAdapter(info: GpuAdapterInfo): string {
  const name = [info.vendor, info.architecture].filter((s) => s !== '').join(' ') || 'unknown adapter';
  return info.description !== '' ? `${name} (${info.description})` : name;
}

let acquired: Promise<GpuAcquisition> | undefined;
// Dawn's GPU object must outlive its devices: a collected instance loses them.
let keepAlive: unknown;

/** The process's one device (acquired once, on first call). */
export function acquireGpu(): Promise<GpuAcquisition> {
  acquired ??= acquire().catch((e: unknown) => ({ missing: `WebGPU failed: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}` }));
  return acquired;
}

/** Destroys the device (so a Node process can exit) and forgets it; the next acquireGpu starts again. */
export async function releaseGpu(): Promise<void> {
  const a = acquired && (await acquired);
  acquired = undefined;
  keepAlive = undefined;
  if (a && hasDevice(a)) a.device.destroy();
}

async function acquire(): Promise<GpuAcquisition> {
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  if (nav?.gpu) return fromGpu(nav.gpu, 'navigator.gpu', 'the browser offers WebGPU but no adapter (is it disabled, or is this an insecure origin?)');
  if (typeof (globalThis as { process?: unknown }).process !== 'object') return { missing: 'this browser has no WebGPU (navigator.gpu is undefined)' };
  // Dawn prints a warning to stderr for every Vulkan piece it cannot find: look first, and
  // name what is missing without loading it where the answer is already known.
  const vulkan = diagnoseLinuxVulkan();
  if (vulkan.missing.length > 0) return { missing: `no WebGPU adapter: ${vulkan.missing.join('; ')}` };
  let mod: { create: (flags: string[]) => GPU; globals: Record<string, unknown> };
  try {
    const name = 'webgpu'; // a variable: bundlers leave it alone, Node resolves it at run time
    mod = (await import(/* @vite-ignore */ name)) as typeof mod;
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') return { missing: "the optional 'webgpu' package is not installed (npm install webgpu@0.6.2)" };
    return { missing: `the 'webgpu' package failed to load: ${(e as Error).message.split('\n')[0]}` };
  }
  // Dawn's constants (GPUBufferUsage, ...) are globals in a browser; give Node the same.
  for (const [k, v] of Object.entries(mod.globals)) if (!(k in globalThis)) (globalThis as Record<string, unknown>)[k] = v;
  const gpu = mod.create([]);
  keepAlive = gpu;
  const hint = vulkan.notes.length > 0 ? ` (${vulkan.notes.join('; ')})` : '';
  return fromGpu(gpu, 'webgpu package', `the 'webgpu' package found no adapter${hint}`);
}

async function fromGpu(gpu: GPU, via: GpuAdapterInfo['via'], noAdapter: string): Promise<GpuAcquisition> {
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) return { missing: noAdapter };
  const raw = ((adapter as unknown as { info?: GPUAdapterInfo }).info ??
    (await (adapter as unknown as { requestAdapterInfo?: () => Promise<GPUAdapterInfo> }).requestAdapterInfo?.())) as
    | { vendor?: string; architecture?: string; description?: string }
    | undefined;
  // Ask for the adapter's own limits: the defaults cap storage buffers at 128 MiB, too small
  // for a million rows.
  const l = adapter.limits;
  const device = await adapter.requestDevice({
    requiredLimits: {
      maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
      maxBufferSize: l.maxBufferSize,
      maxComputeWorkgroupsPerDimension: l.maxComputeWorkgroupsPerDimension,
      maxStorageBuffersPerShaderStage: l.maxStorageBuffersPerShaderStage,
    },
  });
  const adapterInfo: GpuAdapterInfo = { vendor: raw?.vendor ?? '', architecture: raw?.architecture ?? '', description: raw?.description ?? '', via };
  return { device, adapterInfo };
}
