/// <reference types="@webgpu/types" />
// log p(row) of many rows on the WebGPU device (model.logProbAsync): a circuit's forward pass
// over mini-batches on the device (runtime/webgpu/circuit), float32, where a device is found
// and the model is a circuit the kernels take; else the CPU's float64 logProb. auto takes the
// device only from DEVICE_QUERY_ROWS rows on (uploading and compiling cost more than small
// batches save); webgpu takes it for any number of rows, and is an error where there is none.
import { chooseCompute, parseBackend, type ComputeRequest } from '../runtime/backend/compute.js';
import { circuitDeviceTakes, DeviceCircuit } from '../runtime/webgpu/circuit/index.js';
import type { ModelState } from '../runtime/state.js';

/** Rows from which backend auto evaluates on the device. */
export const DEVICE_QUERY_ROWS = 4096;

export interface DeviceQueryOptions {
  /** auto (default), cpu or webgpu; PMIX_BACKEND is not read here (the call says it). */
  readonly backend?: ComputeRequest;
}

export interface DeviceQueryChoice {
  readonly backend: 'webgpu' | 'cpu';
  readonly why?: string;
}

let last: DeviceQueryChoice = { backend: 'cpu', why: 'no query has run' };

/** Where the last logProbAsync ran, and why not on the device. */
export const queryBackend = (): DeviceQueryChoice => last;

/**
 * The device's log-likelihoods of the n rows x (NaN = missing, marginalized), or undefined
 * where the CPU answers (last says why). Throws a PmixError for backend webgpu without a device.
 */
export async function deviceLogProb(state: ModelState, x: Float64Array, n: number, opts: DeviceQueryOptions): Promise<Float64Array | undefined> {
  const req = parseBackend(opts.backend ?? 'auto', 'backend');
  const cpu = (why: string): undefined => void (last = { backend: 'cpu', why });
  if (req.compute === 'cpu') return cpu('backend cpu requested');
  if (req.compute === 'auto' && n < DEVICE_QUERY_ROWS) return cpu(`${n} rows (backend auto takes the device from ${DEVICE_QUERY_ROWS} rows)`);
  // The device first: backend webgpu without one is an error whatever the model.
  const choice = await chooseCompute(req);
  if (!choice.gpu) return cpu(choice.reason);
  if (!circuitDeviceTakes(state.graph)) return cpu('the WebGPU query kernels take circuits only');
  const why = DeviceCircuit.unsupported(state);
  if (why) return cpu(`the WebGPU circuit kernels cannot take it: ${why}`);
  const dc = new DeviceCircuit(choice.gpu.device, state, x, n);
  try {
    const lp = await dc.logLikelihoodRows();
    last = { backend: 'webgpu' };
    return lp;
  } finally {
    dc.destroy();
  }
}
