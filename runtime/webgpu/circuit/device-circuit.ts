/// <reference types="@webgpu/types" />
// A circuit on a WebGPU device, in one process: the plan, the program, the packed parameters
// and the executor together. Per-row log-likelihoods, and EM iterations whose E-step runs on
// the device over mini-batches and whose M-step runs here in float64.
import type { ModelState } from '../../state.js';
import { meanLogLikelihood } from '../../learners/em.js';
import { circuitPlan, unsupported, ZERO_BELOW, type CircuitPlan } from './plan.js';
import { deviceProgram, type DeviceProgram } from './program.js';
import { mStepFromStats, packParams, type MStepSettings } from './params.js';
import { CircuitExecutor } from './exec.js';

export const DEFAULT_BATCH = 1024;

/** Rows per mini-batch: the requested count, capped by the rows and the device's buffer limit. */
export function batchRows(state: ModelState, n: number, maxBindingBytes: number, requested = DEFAULT_BATCH): number {
  const probe = circuitPlan(state, 1);
  const perRow = Math.max(probe.totalUnits, probe.scratchLen);
  return Math.max(1, Math.min(requested, n, Math.floor(maxBindingBytes / 4 / Math.max(1, perRow))));
}

/** Float32 device values as log-likelihoods (the finite stand-in for log 0 back to -Infinity). */
export function toLogLikelihoods(ll: ArrayLike<number>): Float64Array {
  return Float64Array.from(ll, (v) => (v < ZERO_BELOW ? -Infinity : v));
}

export class DeviceCircuit {
  readonly plan: CircuitPlan;
  readonly program: DeviceProgram;
  private readonly exec: CircuitExecutor;

  constructor(device: GPUDevice, readonly state: ModelState, readonly x: Float64Array, readonly n: number, readonly rowWeights?: Float64Array, batch?: number) {
    const B = batchRows(state, n, device.limits.maxStorageBufferBindingSize, batch);
    this.plan = circuitPlan(state, B);
    this.program = deviceProgram(this.plan);
    this.exec = new CircuitExecutor(device, this.program, { x, n, rowWeights }, packParams(state, this.plan));
  }

  /** Why this state cannot run on the device (the caller then takes the CPU path). */
  static unsupported = unsupported;

  /** Uploads the state's current parameters (the CPU may have changed them: initialization, repair). */
  private sync(): void {
    this.exec.setParams(packParams(this.state, this.plan));
  }

  /** log p(x_i) of every row at the state's current parameters. */
  async logLikelihoodRows(): Promise<Float64Array> {
    this.sync();
    return toLogLikelihoods(await this.exec.logLikelihoodRows());
  }

  /** The weighted mean log-likelihood (a non-finite row is an error naming it, as on the CPU). */
  async meanLogLikelihood(iteration: number): Promise<number> {
    return this.mean(await this.logLikelihoodRows(), iteration);
  }

  private mean(ll: Float64Array, iteration: number): number {
    const rw = this.rowWeights ?? new Float64Array(this.n).fill(1);
    return meanLogLikelihood(ll, rw, rw.reduce((a, b) => a + b, 0), iteration);
  }

  /** One EM iteration: returns the mean log-likelihood before its M-step (as the CPU's em does). */
  async emIteration(settings: MStepSettings, iteration: number): Promise<number> {
    this.sync();
    const { ll, stats } = await this.exec.eStep();
    const mean = this.mean(toLogLikelihoods(ll), iteration);
    mStepFromStats(this.state, this.plan, stats, settings, iteration);
    return mean;
  }

  destroy(): void {
    this.exec.destroy();
  }
}
