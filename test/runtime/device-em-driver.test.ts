// The device hook of full-batch EM (runtime/learners/device-em.ts, drive.ts waitFor) without a
// device: a fake factory runs the CPU iteration after a timer, so the asynchronous plumbing is
// tested here. Driven by runAsync, EM takes the device run and awaits it (the fit equals the
// CPU fit exactly); driven by runToEnd, it never asks for it; a failure in the device work
// surfaces as the fit's error; a factory that declines leaves the fit on the CPU with its reason.
import { afterEach, describe, expect, it } from 'vitest';
import { emSteps } from '../../runtime/learners/em.js';
import { runAsync, runToEnd } from '../../runtime/learners/drive.js';
import { lastDeviceEM, registerDeviceEM, resetDeviceEM, type DeviceEMFactory } from '../../runtime/learners/device-em.js';
import type { EMSettings } from '../../compiler/program.js';
import { forward } from '../../runtime/evaluate.js';
import { cpuEmIteration, digitsCircuit, digitsRows } from '../helpers/gpu-circuits.js';

const later = <T>(f: () => T): Promise<T> => new Promise((ok, fail) => setTimeout(() => {
  try {
    ok(f());
  } catch (e) {
    fail(e);
  }
}, 1));

const settings: EMSettings = { method: 'em', maxIter: 4, tol: 0, restarts: 1, init: 'random', regCovar: 1e-6, seed: 1, smoothing: 0.01, warm: true } as EMSettings;

function fake(calls: { iterations: number; finals: number }, fail?: number): DeviceEMFactory {
  return (state, x, n, rw) => ({
    iteration: (s, it) => later(() => {
      calls.iterations++;
      if (it === fail) throw new Error(`device lost at iteration ${it}`);
      return cpuEmIteration(state, x, n, rw, s.regCovar, s.smoothing);
    }),
    meanLogLikelihood: () => later(() => {
      calls.finals++;
      // The log-space forward, as the CPU fit's own final log-likelihood (logDensityRows takes the scaled-linear one: last bits differ).
      const ll = forward(state, x, n).get(state.graph.root)!;
      return ll.reduce((a, v, i) => a + rw[i]! * v, 0) / rw.reduce((a, b) => a + b, 0);
    }),
    destroy: () => undefined,
  });
}

describe('device EM hook', () => {
  const { x, n, names } = digitsRows(200);
  const rw = new Float64Array(n).fill(1);
  afterEach(() => registerDeviceEM('test', undefined));

  it('driven asynchronously, EM runs every iteration on the device run and equals the CPU fit', async () => {
    const calls = { iterations: 0, finals: 0 };
    registerDeviceEM('test', fake(calls));
    resetDeviceEM();
    const dev = await runAsync(emSteps(digitsCircuit(names, 8), x, n, rw, settings));
    expect(calls).toEqual({ iterations: 4, finals: 1 });
    expect(lastDeviceEM().backend).toBe('webgpu');
    registerDeviceEM('test', undefined);
    const cpu = runToEnd(emSteps(digitsCircuit(names, 8), x, n, rw, settings));
    expect(dev.result.meanLogLikelihood).toBe(cpu.result.meanLogLikelihood);
    for (const [k, v] of cpu.state.values) expect(Array.from(dev.state.values.get(k)!)).toEqual(Array.from(v));
  });

  it('driven synchronously, EM never asks the device', () => {
    const calls = { iterations: 0, finals: 0 };
    registerDeviceEM('test', fake(calls));
    runToEnd(emSteps(digitsCircuit(names, 8), x, n, rw, settings));
    expect(calls).toEqual({ iterations: 0, finals: 0 });
  });

  it('a failure of the device work is the fit error', async () => {
    registerDeviceEM('test', fake({ iterations: 0, finals: 0 }, 3));
    await expect(runAsync(emSteps(digitsCircuit(names, 8), x, n, rw, settings))).rejects.toThrow('device lost at iteration 3');
  });

  it('a factory that declines leaves the fit on the CPU and says why', async () => {
    registerDeviceEM('test', () => 'the kernels lack mixing nodes');
    await runAsync(emSteps(digitsCircuit(names, 8), x, n, rw, settings));
    expect(lastDeviceEM()).toEqual({ backend: 'cpu', why: 'the kernels lack mixing nodes' });
  });
});
