/// <reference types="@webgpu/types" />
// Compute pipelines cached per device by their WGSL text (and entry point), and a one-call
// dispatch that binds buffers in order to group 0.
const caches = new WeakMap<GPUDevice, Map<string, GPUComputePipeline>>();

export function computePipeline(device: GPUDevice, wgsl: string, entryPoint = 'main'): GPUComputePipeline {
  let cache = caches.get(device);
  if (!cache) caches.set(device, (cache = new Map()));
  const key = `${entryPoint}\u0000${wgsl}`;
  let p = cache.get(key);
  if (!p) {
    const module = device.createShaderModule({ code: wgsl });
    p = device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint } });
    cache.set(key, p);
  }
  return p;
}

/** How many pipelines a device has compiled (for tests of the cache). */
export const cachedPipelines = (device: GPUDevice): number => caches.get(device)?.size ?? 0;

export interface Dispatch {
  readonly pipeline: GPUComputePipeline;
  /** Bound to @group(0) @binding(i) in this order. */
  readonly buffers: readonly GPUBuffer[];
  readonly workgroups: number | readonly [number, number?, number?];
}

/** Records the dispatches as one compute pass each in one command buffer and submits it. */
export function dispatch(device: GPUDevice, ...steps: Dispatch[]): void {
  const enc = device.createCommandEncoder();
  for (const s of steps) {
    const bindGroup = device.createBindGroup({
      layout: s.pipeline.getBindGroupLayout(0),
      entries: s.buffers.map((buffer, binding) => ({ binding, resource: { buffer } })),
    });
    const pass = enc.beginComputePass();
    pass.setPipeline(s.pipeline);
    pass.setBindGroup(0, bindGroup);
    const [x, y = 1, z = 1] = typeof s.workgroups === 'number' ? [s.workgroups] : s.workgroups;
    pass.dispatchWorkgroups(x, y, z);
    pass.end();
  }
  device.queue.submit([enc.finish()]);
}

/** Splits a count of workgroups over x and y so neither passes the per-dimension limit. */
export function workgroupGrid(groups: number, maxPerDim = 65535): [number, number] {
  if (groups <= maxPerDim) return [Math.max(1, groups), 1];
  const y = Math.ceil(groups / maxPerDim);
  return [Math.ceil(groups / y), y];
}
