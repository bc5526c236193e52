// The compute backend: where fits run. `cpu` (the float64 JavaScript/WebAssembly kernels),
// `webgpu` (the device kernels, float32; a model without a device path still runs on the CPU),
// or `auto` (the default: webgpu where a device is found and the model has a device path, else
// cpu, silently). Chosen by --backend or PMIX_BACKEND. The TensorFlow.js names of old
// (tensorflow, wasm) still work: they pick the tensor backend of `pmix info` and leave the
// compute backend on auto. Browser-safe (no Node import): the device module loads lazily.
import { acquireGpu, describeAdapter, hasDevice, type GpuAcquisition, type GpuAdapterInfo, type GpuDevice } from '../webgpu/index.js';
import { PmixError } from '../errors.js';

export const COMPUTE_BACKENDS = ['auto', 'cpu', 'webgpu'] as const;
export type ComputeRequest = (typeof COMPUTE_BACKENDS)[number];
/** TensorFlow.js backend names PMIX_BACKEND accepted before the compute choice (they leave compute on auto). */
export const TENSOR_ONLY_NAMES = ['tensorflow', 'wasm'] as const;

export interface BackendRequest {
  readonly compute: ComputeRequest;
  /** A TensorFlow.js backend the value names (cpu names both), or undefined for its default order. */
  readonly tensor?: 'tensorflow' | 'wasm' | 'cpu';
  /** Where the value came from, for messages. */
  readonly source: string;
}

/** Reads a --backend / PMIX_BACKEND value; unknown names are a PmixError naming the choices. */
export function parseBackend(value: string | undefined, source = 'PMIX_BACKEND'): BackendRequest {
  const v = (value ?? '').trim().toLowerCase();
  if (v === '' || v === 'auto') return { compute: 'auto', source };
  if (v === 'cpu') return { compute: 'cpu', tensor: 'cpu', source };
  if (v === 'webgpu') return { compute: 'webgpu', source };
  if ((TENSOR_ONLY_NAMES as readonly string[]).includes(v)) return { compute: 'auto', tensor: v as 'tensorflow' | 'wasm', source };
  throw new PmixError(`${source}: unknown backend '${value}' (choose auto, cpu or webgpu; tensorflow and wasm still name a TensorFlow.js backend for pmix info)`, 'bad-backend');
}

export interface ComputeChoice {
  readonly requested: ComputeRequest;
  readonly name: 'cpu' | 'webgpu';
  readonly reason: string;
  readonly adapter?: GpuAdapterInfo;
  /** Why no device could be had (when none was). */
  readonly missing?: string;
}

/**
 * Resolves the request against this machine. With `webgpu` requested and no device, throws a
 * PmixError saying exactly what is missing; `auto` falls back to cpu with the reason.
 * hasDevicePath: whether the model at hand can run on the device (undefined: no model, as in pmix info).
 */
export async function chooseCompute(req: BackendRequest, hasDevicePath?: boolean, acquire: () => Promise<GpuAcquisition> = acquireGpu): Promise<ComputeChoice & { gpu?: GpuDevice }> {
  if (req.compute === 'cpu') return { requested: 'cpu', name: 'cpu', reason: `requested by ${req.source}` };
  const a = await acquire();
  if (!hasDevice(a)) {
    if (req.compute === 'webgpu') throw new PmixError(`${req.source}=webgpu, but there is no WebGPU device: ${a.missing}`, 'no-device', 'use --backend cpu or auto, or install what is missing');
    return { requested: 'auto', name: 'cpu', reason: `no WebGPU device: ${a.missing}`, missing: a.missing };
  }
  const on = `adapter ${describeAdapter(a.adapterInfo)} via ${a.adapterInfo.via}`;
  if (hasDevicePath === false) return { requested: req.compute, name: 'cpu', reason: `this model has no WebGPU path yet (${on} is available)`, adapter: a.adapterInfo };
  return { requested: req.compute, name: 'webgpu', reason: req.compute === 'webgpu' ? `requested by ${req.source}; ${on}` : on, adapter: a.adapterInfo, gpu: a };
}

let active: (ComputeChoice & { gpu?: GpuDevice }) | undefined;

/**
 * Resolves the compute backend for the fits that follow (PMIX_BACKEND in Node, auto in a
 * browser) and acquires the device where it applies; the steps then read activeGpu()
 * synchronously. Throws only where webgpu was asked for and there is no device.
 */
export async function prepareCompute(value?: string): Promise<ComputeChoice> {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  active = await chooseCompute(parseBackend(value ?? env?.PMIX_BACKEND));
  return active;
}

/** The device fits use now (after prepareCompute chose webgpu), else undefined. */
export const activeGpu = (): GpuDevice | undefined => (active?.name === 'webgpu' ? active.gpu : undefined);

/** Forgets the choice (tests; a process that released its device). */
export function resetCompute(): void {
  active = undefined;
}
