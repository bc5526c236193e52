/// <reference types="@webgpu/types" />
// Runs a circuit's device program (program.ts) on a GPUDevice: the rows are uploaded once,
// every mini-batch of B rows is one submitted command buffer (the forward pass; with EM also the
// backward pass and the statistics, accumulated on the device), and only the per-row
// log-likelihoods and the statistics come back. Browser-safe: it imports only the WebGPU helpers.
import { computePipeline, readF32, storageBuffer, uniformBuffer, uploadStorage, writeBuffer } from '../index.js';
import type { BufferName, DeviceProgram, Kernel } from './program.js';

interface Step {
  readonly pipeline: GPUComputePipeline;
  readonly bindGroup: GPUBindGroup;
  readonly groups: readonly [number, number];
}

export interface DeviceRows {
  /** n x V values (NaN = missing). */
  readonly x: ArrayLike<number>;
  readonly n: number;
  /** Per-row weights (default 1). */
  readonly rowWeights?: ArrayLike<number>;
}

export class CircuitExecutor {
  private readonly buffers = new Map<BufferName, GPUBuffer>();
  private readonly forward: Step[];
  private readonly backward: Step[];
  readonly n: number;

  constructor(readonly device: GPUDevice, readonly program: DeviceProgram, rows: DeviceRows, prm: Float32Array) {
    const { V } = program;
    const n = (this.n = rows.n);
    const x = new Float32Array(n * V);
    const mask = new Uint32Array(n * V);
    for (let k = 0; k < n * V; k++) {
      const v = rows.x[k]!;
      if (Number.isNaN(v)) continue;
      x[k] = v;
      mask[k] = 1;
    }
    const rw = new Float32Array(n);
    for (let i = 0; i < n; i++) rw[i] = rows.rowWeights ? rows.rowWeights[i]! : 1;
    const s = program.sizes;
    const set = (name: BufferName, b: GPUBuffer): void => void this.buffers.set(name, b);
    set('ctl', uniformBuffer(device, new Uint32Array(4), 'ctl'));
    set('meta', uploadStorage(device, Uint32Array.from(program.meta), 'meta'));
    set('x', uploadStorage(device, x, 'x'));
    set('mask', uploadStorage(device, mask, 'mask'));
    set('rw', uploadStorage(device, rw, 'rw'));
    set('prm', uploadStorage(device, prm, 'prm'));
    set('vals', storageBuffer(device, 4 * s.vals, 'vals'));
    set('flows', storageBuffer(device, 4 * s.vals, 'flows'));
    set('mbuf', storageBuffer(device, 4 * s.mbuf, 'mbuf'));
    set('scr', storageBuffer(device, 4 * s.scr, 'scr'));
    set('stats', storageBuffer(device, 4 * s.stats, 'stats'));
    set('ll', storageBuffer(device, 4 * n, 'll'));
    this.forward = program.forward.map((k) => this.step(k));
    this.backward = program.backward.map((k) => this.step(k));
  }

  private step(k: Kernel): Step {
    const pipeline = computePipeline(this.device, k.wgsl);
    const bindGroup = this.device.createBindGroup({
      label: k.label,
      layout: pipeline.getBindGroupLayout(0),
      entries: k.bindings.map((name, binding) => ({ binding, resource: { buffer: this.buffers.get(name)! } })),
    });
    return { pipeline, bindGroup, groups: k.groups };
  }

  /** New parameters (after an M-step). */
  setParams(prm: Float32Array): void {
    writeBuffer(this.device, this.buffers.get('prm')!, prm);
  }

  private runBatches(steps: readonly Step[], flowsToo: boolean): void {
    const { B } = this.program;
    for (let start = 0; start < this.n; start += B) {
      const rows = Math.min(B, this.n - start);
      writeBuffer(this.device, this.buffers.get('ctl')!, new Uint32Array([rows, start, 0, 0]));
      const enc = this.device.createCommandEncoder();
      if (flowsToo) enc.clearBuffer(this.buffers.get('flows')!);
      const pass = enc.beginComputePass();
      for (const s of steps) {
        pass.setPipeline(s.pipeline);
        pass.setBindGroup(0, s.bindGroup);
        pass.dispatchWorkgroups(s.groups[0], s.groups[1]);
      }
      pass.end();
      this.device.queue.submit([enc.finish()]);
    }
  }

  /** log p(x_i) of every row, in float32 (log 0 as a value below -1e29). */
  async logLikelihoodRows(): Promise<Float32Array> {
    this.runBatches(this.forward, false);
    return readF32(this.device, this.buffers.get('ll')!, 4 * this.n);
  }

  /** One E-step over every row: per-row log-likelihoods and the accumulated statistics. */
  async eStep(): Promise<{ ll: Float32Array; stats: Float32Array }> {
    const enc = this.device.createCommandEncoder();
    enc.clearBuffer(this.buffers.get('stats')!);
    this.device.queue.submit([enc.finish()]);
    this.runBatches([...this.forward, ...this.backward], true);
    const [ll, stats] = await Promise.all([
      readF32(this.device, this.buffers.get('ll')!, 4 * this.n),
      readF32(this.device, this.buffers.get('stats')!, 4 * this.program.sizes.stats),
    ]);
    return { ll, stats };
  }

  destroy(): void {
    for (const b of this.buffers.values()) b.destroy();
    this.buffers.clear();
  }
}
