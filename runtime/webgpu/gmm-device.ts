/// <reference types="@webgpu/types" />
// A Gaussian mixture's EM on the device: rows (centred, float32) and row weights are uploaded
// once and stay; each iteration uploads the packed parameters, runs the E-step and the
// statistics kernels and the column-sum passes, and reads back only K x E sums and the
// log-likelihood. The M-step finalization is the host's, in float64 (gmm-host.ts).
import { readF32, storageBuffer, uniformBuffer, uploadStorage, writeBuffer } from './buffers.js';
import { CHUNK, estepWgsl, MAX_D, MAX_K, REDUCE_WGSL, statEntries, statsWgsl, WG } from './gmm-wgsl.js';
import { columnMeans, packParams, statsFromSums, type GmmParams, type GmmStats } from './gmm-host.js';
import { computePipeline, dispatch, workgroupGrid, type Dispatch } from './pipelines.js';

export interface GmmIteration {
  /** sum_i w_i log p(x_i) under the parameters given (before the M-step). */
  readonly logLik: number;
  readonly stats: GmmStats;
}

/** Why the device path declines a shape (the caller runs the CPU path), or undefined. */
export function gmmDeviceDeclines(n: number, D: number, K: number, device?: GPUDevice): string | undefined {
  if (D < 1 || D > MAX_D) return `the device path takes 1 to ${MAX_D} dimensions (this model has ${D})`;
  if (K < 1 || K > MAX_K) return `the device path takes 1 to ${MAX_K} components (this model has ${K})`;
  if (n < 1) return 'no rows';
  const limit = device?.limits.maxStorageBufferBindingSize ?? 2 ** 27;
  if (n * Math.max(K, D) * 4 > limit) return `${n} rows x ${Math.max(K, D)} floats pass the device's storage buffer limit (${limit} bytes)`;
  return undefined;
}

export class GmmDevice {
  private readonly xBuf: GPUBuffer;
  private readonly wBuf: GPUBuffer;
  private readonly owned: GPUBuffer[] = [];
  private perK: { K: number; full: boolean; resp: GPUBuffer; ll: GPUBuffer; llPart: GPUBuffer; part: GPUBuffer; sums: GPUBuffer; llSum: GPUBuffer; p: GPUBuffer; nU: GPUBuffer; sumsU: GPUBuffer; llU: GPUBuffer } | undefined;
  readonly centre: Float64Array;

  /** Uploads the rows (n x D, row-major, no NaN) and their weights (default 1). */
  constructor(
    readonly device: GPUDevice,
    x: Float64Array,
    readonly n: number,
    readonly D: number,
    rowWeights?: Float64Array,
  ) {
    this.centre = columnMeans(x, n, D);
    const xc = new Float32Array(n * D);
    for (let i = 0; i < n; i++) for (let d = 0; d < D; d++) xc[i * D + d] = x[i * D + d]! - this.centre[d]!;
    this.xBuf = this.own(uploadStorage(device, xc, 'gmm rows'));
    this.wBuf = this.own(uploadStorage(device, rowWeights ? Float32Array.from(rowWeights.subarray(0, n)) : new Float32Array(n).fill(1), 'gmm row weights'));
  }

  private own(b: GPUBuffer): GPUBuffer {
    this.owned.push(b);
    return b;
  }

  private buffers(K: number, full: boolean) {
    if (this.perK && this.perK.K === K && this.perK.full === full) return this.perK;
    if (this.perK) for (const b of Object.values(this.perK)) if (typeof b === 'object') b.destroy();
    const { device: dev, n, D } = this;
    const E = statEntries(D, full).length;
    const groups = Math.ceil(n / WG);
    const chunks = Math.ceil(n / CHUNK);
    this.perK = {
      K,
      full,
      resp: storageBuffer(dev, n * K * 4, 'gmm resp'),
      ll: storageBuffer(dev, n * 4, 'gmm row loglik'),
      llPart: storageBuffer(dev, groups * 4, 'gmm loglik partials'),
      part: storageBuffer(dev, chunks * K * E * 4, 'gmm stat partials'),
      sums: storageBuffer(dev, (K * E + 1) * 4, 'gmm sums'),
      llSum: storageBuffer(dev, 4, 'gmm loglik'),
      p: storageBuffer(dev, K * (D + (full ? (D * (D + 1)) / 2 : D) + 1) * 4, 'gmm params'),
      nU: uniformBuffer(dev, new Uint32Array([n, 0, 0, 0])),
      sumsU: uniformBuffer(dev, new Uint32Array([chunks, K * E, 0, 0])),
      llU: uniformBuffer(dev, new Uint32Array([groups, 1, 0, 0])),
    };
    return this.perK;
  }

  /** The E-step's dispatch under params; returns the packed parameters used (for the statistics' host side). */
  private eStep(params: GmmParams): { packed: Float32Array; steps: Dispatch[]; K: number } {
    return this.eStepPacked(packParams(params, this.D, this.centre), params.weights.length, params.full);
  }

  private eStepPacked(packed: Float32Array, K: number, full: boolean): { packed: Float32Array; steps: Dispatch[]; K: number } {
    const { device: dev, n, D } = this;
    const why = gmmDeviceDeclines(n, D, K, dev);
    if (why) throw new Error(why);
    const b = this.buffers(K, full);
    writeBuffer(dev, b.p, packed);
    const groups = Math.ceil(n / WG);
    const steps: Dispatch[] = [
      { pipeline: computePipeline(dev, estepWgsl(D, K, full)), buffers: [this.xBuf, this.wBuf, b.p, b.resp, b.ll, b.llPart, b.nU], workgroups: workgroupGrid(groups) },
    ];
    return { packed, steps, K };
  }

  /** One iteration's E-step and statistics under params. */
  async iterate(params: GmmParams): Promise<GmmIteration> {
    const { device: dev, n, D } = this;
    const { packed, steps, K } = this.eStep(params);
    const b = this.perK!;
    const E = statEntries(D, params.full).length;
    const chunks = Math.ceil(n / CHUNK);
    const reduce = computePipeline(dev, REDUCE_WGSL);
    steps.push(
      { pipeline: computePipeline(dev, statsWgsl(D, K, params.full)), buffers: [this.xBuf, this.wBuf, b.p, b.resp, b.part, b.nU], workgroups: [chunks, K] },
      { pipeline: reduce, buffers: [b.part, b.sums, b.sumsU], workgroups: workgroupGrid(K * E) },
      { pipeline: reduce, buffers: [b.llPart, b.llSum, b.llU], workgroups: 1 },
    );
    dispatch(dev, ...steps);
    const [sums, ll] = await Promise.all([readF32(dev, b.sums, K * E * 4), readF32(dev, b.llSum, 4)]);
    return { logLik: ll[0]!, stats: statsFromSums(sums, packed, K, D, params.full, this.centre) };
  }

  /** The E-step's per-row outputs (responsibilities n x K, log-likelihoods n), for tests. */
  async eStepRows(params: GmmParams | { packed: Float32Array; K: number; full: boolean }): Promise<{ resp: Float32Array; rowLogLik: Float32Array }> {
    const { steps, K } = 'packed' in params ? this.eStepPacked(params.packed, params.K, params.full) : this.eStep(params);
    dispatch(this.device, ...steps);
    const b = this.perK!;
    const [resp, rowLogLik] = await Promise.all([readF32(this.device, b.resp, this.n * K * 4), readF32(this.device, b.ll, this.n * 4)]);
    return { resp, rowLogLik };
  }

  /** Frees the device buffers. */
  destroy(): void {
    for (const b of this.owned) b.destroy();
    if (this.perK) for (const b of Object.values(this.perK)) if (typeof b === 'object') b.destroy();
    this.perK = undefined;
  }
}
