// Long synchronous work keeps memory bounded: repeated forward passes of a mixture (the fused
// mixture kernel) inside one job must not retain their arrays (a WeakRef in the kernel's cache
// once kept every array alive until the job ended, and the fuzzers ran out of memory).
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { expect, it } from 'vitest';
import { logDensityRows } from '../../runtime/evaluate.js';
import { modelState } from '../helpers/programs.js';

setFlagsFromString('--expose_gc');
const gc = runInNewContext('gc') as () => void;

it('repeated density evaluations in one synchronous loop do not grow the heap', () => {
  // mixture(k) of one leaf layer: the fused kernel's path (one child of k units).
  const state = modelState('model M(x, y) = mixture(k = 3, weights = [0.2, 0.3, 0.5]) of Normal(diag, mean = [0, 1], sd = [1, 2])', 'M');
  const n = 4000;
  const run = (times: number): void => {
    for (let t = 0; t < times; t++) logDensityRows(state, Float64Array.from({ length: 2 * n }, (_, i) => Math.sin(i + t)), n);
  };
  run(20);
  gc();
  const before = process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
  run(300);
  gc();
  const grown = process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers - before;
  // 300 passes allocate about 300 * (64 + 96 + 32) KB; retaining them would grow by tens of MB.
  expect(grown).toBeLessThan(8e6);
});
