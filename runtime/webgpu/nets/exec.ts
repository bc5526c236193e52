/// <reference types="@webgpu/types" />
// Runs the dense nets of a NetPlan's groups on a GPUDevice (float32): each group's grid inputs
// are uploaded once; a forward call uploads the layers' weights, runs every layer (fused bias
// and activation, act' kept on the device) and reads back only the last layer's outputs; a
// backward call uploads d/d(outputs), runs the layers' reverse passes on the trace the last
// forward left on the device and reads back the weight and bias gradients.
// Browser-safe: it imports only the WebGPU helpers.
import { computePipeline } from '../pipelines.js';
import { readF32, storageBuffer, uniformBuffer, uploadStorage, writeBuffer } from '../buffers.js';
import { colSumWgsl, forwardWgsl, gradWWgsl, gradXWgsl, TILE, type NetActivation } from './dense-wgsl.js';

export interface ExecLayer {
  readonly inputs: number;
  readonly outputs: number;
  readonly activation: NetActivation;
}

/** One group's shape: its grid rows and their inputs [rows x layers[0].inputs], and its layers. */
export interface ExecGroup {
  readonly rows: number;
  readonly x: ArrayLike<number>;
  readonly layers: readonly ExecLayer[];
}

export interface LayerWeights {
  readonly w: Float32Array;
  readonly b: Float32Array;
}

interface Step {
  readonly pipeline: GPUComputePipeline;
  readonly bindGroup: GPUBindGroup;
  readonly groups: readonly [number, number];
}

interface LayerBuffers {
  readonly w: GPUBuffer;
  readonly b: GPUBuffer;
  readonly y: GPUBuffer;
  readonly d: GPUBuffer | undefined;
  /** d/d(outputs) of this layer (the last layer's is uploaded; the others' are the next layer's dX). */
  readonly g: GPUBuffer;
  readonly gw: GPUBuffer;
  readonly gb: GPUBuffer;
  readonly forward: Step;
  readonly gradW: Step;
  readonly gradB: Step;
  /** Into the previous layer's g (absent for the first layer). */
  readonly gradX: Step | undefined;
}

const tiles = (m: number, n: number): [number, number] => [Math.ceil(n / TILE), Math.ceil(m / TILE)];

export class NetExecutor {
  private readonly groups: { readonly shape: ExecGroup; readonly x: GPUBuffer; readonly layers: LayerBuffers[] }[];
  private readonly owned: GPUBuffer[] = [];

  constructor(readonly device: GPUDevice, shapes: readonly ExecGroup[]) {
    this.groups = shapes.map((shape) => {
      const x = this.own(uploadStorage(device, Float32Array.from(shape.x), 'net x'));
      const layers: LayerBuffers[] = [];
      shape.layers.forEach((l, i) => {
        const rows = shape.rows;
        const input = i === 0 ? x : layers[i - 1]!.y;
        const withD = l.activation !== 'linear';
        const f = (n: number, label: string): GPUBuffer => this.own(storageBuffer(device, 4 * n, label));
        const w = f(l.inputs * l.outputs, 'net w');
        const b = f(l.outputs, 'net b');
        const y = f(rows * l.outputs, 'net y');
        const d = withD ? f(rows * l.outputs, "net act'") : undefined;
        const g = f(rows * l.outputs, 'net dy');
        const gw = f(l.inputs * l.outputs, 'net dw');
        const gb = f(l.outputs, 'net db');
        const gd = d ? [g, d] : [g];
        const forward = this.step(forwardWgsl(l.activation), [rows, l.outputs, l.inputs], [input, w, b, y, d ?? f(rows * l.outputs, "net act' (unused)")], tiles(rows, l.outputs));
        const gradW = this.step(gradWWgsl(withD), [l.inputs, l.outputs, rows], [input, ...gd, gw], tiles(l.inputs, l.outputs));
        const gradB = this.step(colSumWgsl(withD), [rows, l.outputs, 0], [...gd, gb], [l.outputs, 1]);
        const gradX = i > 0 ? this.step(gradXWgsl(withD), [rows, l.inputs, l.outputs], [...gd, w, layers[i - 1]!.g], tiles(rows, l.inputs)) : undefined;
        layers.push({ w, b, y, d, g, gw, gb, forward, gradW, gradB, gradX });
      });
      return { shape, x, layers };
    });
  }

  private own(b: GPUBuffer): GPUBuffer {
    this.owned.push(b);
    return b;
  }

  private step(wgsl: string, dims: readonly number[], buffers: readonly GPUBuffer[], groups: readonly [number, number]): Step {
    const pipeline = computePipeline(this.device, wgsl);
    const u = this.own(uniformBuffer(this.device, Uint32Array.from([...dims, 0].slice(0, 4)), 'net dims'));
    const bindGroup = this.device.createBindGroup({
      layout: pipeline.getBindGroupLayout(0),
      entries: [u, ...buffers].map((buffer, binding) => ({ binding, resource: { buffer } })),
    });
    return { pipeline, bindGroup, groups };
  }

  private run(steps: readonly Step[]): void {
    const enc = this.device.createCommandEncoder();
    for (const s of steps) {
      const pass = enc.beginComputePass();
      pass.setPipeline(s.pipeline);
      pass.setBindGroup(0, s.bindGroup);
      pass.dispatchWorkgroups(s.groups[0], s.groups[1]);
      pass.end();
    }
    this.device.queue.submit([enc.finish()]);
  }

  /** Every group's net at these weights (per group, per layer): each group's last-layer outputs [rows x outputs]. */
  async forward(weights: readonly (readonly LayerWeights[])[]): Promise<Float32Array[]> {
    const steps: Step[] = [];
    this.groups.forEach((g, gi) => {
      g.layers.forEach((l, li) => {
        const wt = weights[gi]![li]!;
        writeBuffer(this.device, l.w, wt.w);
        writeBuffer(this.device, l.b, wt.b);
        steps.push(l.forward);
      });
    });
    this.run(steps);
    return Promise.all(this.groups.map((g) => {
      const last = g.layers[g.layers.length - 1]!;
      return readF32(this.device, last.y, 4 * g.shape.rows * g.shape.layers[g.shape.layers.length - 1]!.outputs);
    }));
  }

  /**
   * Given d/d(last-layer outputs) per group (undefined: no gradient for that group), the
   * gradients of every layer's weights and biases at the last forward's trace.
   */
  async backward(gy: readonly (Float32Array | undefined)[]): Promise<(LayerWeights[] | undefined)[]> {
    const steps: Step[] = [];
    this.groups.forEach((g, gi) => {
      const top = gy[gi];
      if (!top) return;
      writeBuffer(this.device, g.layers[g.layers.length - 1]!.g, top);
      for (let li = g.layers.length - 1; li >= 0; li--) {
        const l = g.layers[li]!;
        steps.push(l.gradW, l.gradB);
        if (l.gradX) steps.push(l.gradX);
      }
    });
    this.run(steps);
    return Promise.all(this.groups.map(async (g, gi) => {
      if (!gy[gi]) return undefined;
      return Promise.all(g.layers.map(async (l, li) => {
        const s = g.shape.layers[li]!;
        return { w: await readF32(this.device, l.gw, 4 * s.inputs * s.outputs), b: await readF32(this.device, l.gb, 4 * s.outputs) };
      }));
    }));
  }

  destroy(): void {
    for (const b of this.owned) b.destroy();
    this.owned.length = 0;
  }
}
