// WebGPU for the embedding API: useWebGpu() acquires a device (navigator.gpu in a browser, the
// optional `webgpu` package in Node) and turns on the device path of circuit EM for fits driven
// asynchronously (program.runAsync, model.fit); it never throws: without a device it says why
// and fits stay on the CPU. fitBackend() says where the last fit ran.
import { acquireGpu, describeAdapter, hasDevice } from '../runtime/webgpu/index.js';
import { enableWebGpuCircuits } from '../runtime/webgpu/circuit/index.js';
import { enableWebGpuNets } from '../runtime/webgpu/nets/index.js';
import { lastDeviceEM, resetDeviceEM } from '../runtime/learners/device-em.js';

export type GpuChoice = { readonly backend: 'webgpu'; readonly adapter: string } | { readonly backend: 'cpu'; readonly why: string };

let adapter: string | undefined;

/** Acquires the device and enables the WebGPU circuit kernels (once per process or worker). */
export async function useWebGpu(opts: { batch?: number } = {}): Promise<GpuChoice> {
  const g = await acquireGpu();
  if (!hasDevice(g)) {
    enableWebGpuCircuits(undefined);
    enableWebGpuNets(undefined);
    adapter = undefined;
    return { backend: 'cpu', why: g.missing };
  }
  enableWebGpuCircuits(g.device, opts);
  enableWebGpuNets(g.device);
  adapter = describeAdapter(g.adapterInfo);
  return { backend: 'webgpu', adapter };
}

/** Turns the device path off again (fits run on the CPU). */
export function useCpu(): void {
  enableWebGpuCircuits(undefined);
  enableWebGpuNets(undefined);
  adapter = undefined;
}

/** Where the last fit's E-steps ran: "webgpu (adapter)" or "cpu" with the reason. */
export function fitBackend(): { readonly backend: 'webgpu' | 'cpu'; readonly text: string; readonly why?: string } {
  const l = lastDeviceEM();
  if (l.backend === 'webgpu') return { backend: 'webgpu', text: `webgpu (${adapter ?? 'unknown adapter'})` };
  return { backend: 'cpu', text: 'cpu', ...(l.why ? { why: l.why } : {}) };
}

/** Marks the start of a fit (a fit that never asks for the device reports cpu). */
export const beforeFit = (): void => resetDeviceEM();
