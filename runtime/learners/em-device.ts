// Full-batch EM of a Gaussian mixture (mixture(k) of Normal(diag | full) over every column) on
// the WebGPU device: the E-step and the statistics run there (runtime/webgpu), the M-step is
// the host's in float64, the state is the CPU path's (same initialization, collapse repair and
// final log-likelihood, evaluated in float64). A device iteration is asynchronous: the run
// hands its promise to the async driver (drive.ts) and yields; so this path is taken only when
// the fit is driven asynchronously (session.fitAsync, model.fit, the CLI) and the compute
// backend found a device; everything else runs on the CPU.
import type { EMSettings } from '../../compiler/program.js';
import { activeGpu } from '../backend/compute.js';
import { PmixError } from '../errors.js';
import type { ModelState } from '../state.js';
import { GmmDevice, gmmDeviceDeclines, mStep as hostMStep, type GmmIteration, type GmmParams } from '../webgpu/index.js';
import { awaitBeforeNextStep, drivenAsync } from './drive.js';
import type { LearnerRun } from './driver.js';

let iterationsOnDevice = 0;
/** EM iterations run on a device in this process so far (tests: the device path was taken). */
export const deviceEMIterations = (): number => iterationsOnDevice;

interface GmmShape {
  readonly full: boolean;
  readonly K: number;
  readonly D: number;
  readonly mean: Float64Array;
  readonly cov: Float64Array;
  readonly weights: Float64Array;
}

/** The state's parts when it is a plain GMM the device path takes, with nothing fixed. */
export function gmmShape(state: ModelState): GmmShape | undefined {
  const [input, mixing, ...rest] = state.nodes;
  if (rest.length > 0 || input?.kind !== 'input' || mixing?.kind !== 'mixing' || state.graph.root !== mixing.id) return undefined;
  if (mixing.units !== 1 || mixing.arity !== input.units || mixing.children.length !== 1 || mixing.children[0] !== input.id) return undefined;
  const layer = state.layers.get(input.id);
  // A leaf whose parameters are a Gaussian's moments (the Normal), as a matrix or diagonal variances.
  const moments = layer?.family.gaussianMoments;
  const covariance = moments?.covariance[layer?.ctx.variant ?? ''];
  if (!layer || !moments || !covariance) return undefined;
  const full = covariance.layout === 'matrix';
  const D = state.graph.vars.length;
  if (input.scope.length !== D || input.scope.some((v, i) => v !== i) || layer.ctx.dims !== D) return undefined;
  if ([...Object.values(layer.names), mixing.weights].some((nm) => state.param(nm).fixed)) return undefined;
  const mean = layer.params[moments.meanRole];
  const cov = layer.params[covariance.role];
  const weights = state.values.get(mixing.weights);
  const K = input.units;
  // Per-unit parameters only (a tied covariance is shared: the CPU path fits it).
  if (!mean || !cov || !weights || (input.shared?.length ?? 0) > 0 || mean.length !== K * D || cov.length !== K * D * (full ? D : 1) || weights.length !== K) return undefined;
  return { full, K, D, mean, cov, weights };
}

/** The device to fit this GMM on, or undefined (CPU): no device, a synchronous driver, another model, missing cells, a shape the kernels do not take. */
export function deviceForEM(state: ModelState, x: Float64Array, n: number, settings: EMSettings, labels: boolean): GPUDevice | undefined {
  const gpu = activeGpu();
  if (!gpu || !drivenAsync() || labels) return undefined;
  const shape = gmmShape(state);
  if (!shape || gmmDeviceDeclines(n, shape.D, shape.K, gpu.device)) return undefined;
  for (let i = 0; i < n * shape.D; i++) if (x[i] !== x[i]) return undefined; // NaN: the CPU path skips such rows
  void settings;
  return gpu.device;
}

/** A LearnerRun whose iterations run on the device; the state must be a GMM (gmmShape) already initialized. */
export function deviceEMRun(
  device: GPUDevice,
  state: ModelState,
  x: Float64Array,
  n: number,
  rowWeights: Float64Array,
  settings: EMSettings,
  cpu: LearnerRun,
  checkFinite: (state: ModelState, iteration: number) => void,
): LearnerRun {
  const shape = gmmShape(state)!;
  const { D, full } = shape;
  const totalWeight = rowWeights.reduce((a, b) => a + b, 0);
  const gmm = new GmmDevice(device, x, n, D, rowWeights);
  const current = (): GmmParams => ({ full, weights: shape.weights, means: shape.mean, cov: shape.cov });
  return {
    state,
    ...(cpu.repair ? { repair: cpu.repair } : {}),
    *iterate(it) {
      let out: GmmIteration | undefined;
      let failed: unknown;
      awaitBeforeNextStep(
        gmm.iterate(current()).then(
          (r) => void (out = r),
          (e: unknown) => void (failed = e),
        ),
      );
      yield;
      if (failed !== undefined) throw new PmixError(`EM stopped at iteration ${it} on the WebGPU device: ${(failed as Error).message ?? String(failed)}`, 'degenerate', 'increase reg_covar, lower k, or fit with --backend cpu');
      if (!out) throw new PmixError('the WebGPU EM step ran without an asynchronous driver', 'internal');
      iterationsOnDevice++;
      const ll = out.logLik / totalWeight;
      if (!Number.isFinite(ll)) throw new PmixError(`the mean log-likelihood became ${ll} at iteration ${it} on the WebGPU device`, 'non-finite', 'raise reg_covar, lower k, or fit with --backend cpu');
      const next = hostMStep(out.stats, current(), D, settings.regCovar);
      shape.weights.set(next.weights);
      shape.mean.set(next.means);
      shape.cov.set(next.cov);
      checkFinite(state, it);
      return ll;
    },
    *finish(info) {
      gmm.destroy();
      // The final log-likelihood (and the result) in float64 on the CPU, as the CPU path reports it.
      return yield* cpu.finish!(info);
    },
  };
}
