// Adam (Kingma & Ba 2015), the one update rule every gradient learner uses: circuits, squared
// and integral circuits (adam.ts) and the sparse GP's hyperparameters and inducing inputs
// (gp/sparse.ts). It ascends: pass the gradient of what is maximized. Written in the paper's
// efficient form, the step size corrected for both moments' bias and eps added to sqrt(v):
//   x += lr * sqrt(1 - b2^t) / (1 - b1^t) * m / (sqrt(v) + eps).
import type { DriveSettings } from './driver.js';

export const ADAM_BETA1 = 0.9;
export const ADAM_BETA2 = 0.999;
export const ADAM_EPS = 1e-8;

export interface AscendOptions {
  /** Divides the gradient (e.g. the batch weight, for the mean log-likelihood); default 1. */
  readonly divide?: number;
  /**
   * Per-entry scale s (entry i uses s[i % s.length]): Adam runs in the coordinates x / s, so
   * the gradient is multiplied by s and the step by s (inducing inputs move in units of each
   * input column's standard deviation).
   */
  readonly scale?: ArrayLike<number>;
  /** Box bounds: each entry is clipped to [lower[i], upper[i]] after its step. */
  readonly lower?: ArrayLike<number>;
  readonly upper?: ArrayLike<number>;
}

/** The moments of every block of parameters and the one step count they share. */
export class AdamOptimizer {
  private readonly moments = new Map<string, { readonly m: Float64Array; readonly v: Float64Array }>();
  private t = 0;
  private rate = 0;

  constructor(readonly lr: number) {}

  /** Steps taken so far. */
  get steps(): number {
    return this.t;
  }

  /** Starts a step: every block updated until the next call shares its bias correction. */
  begin(): void {
    this.t++;
    this.rate = (this.lr * Math.sqrt(1 - ADAM_BETA2 ** this.t)) / (1 - ADAM_BETA1 ** this.t);
  }

  /** Moves block `key` (the values x) up the gradient g. */
  ascend(key: string, x: Float64Array, g: ArrayLike<number>, opts: AscendOptions = {}): void {
    if (this.t === 0) throw new Error('AdamOptimizer.ascend before begin()');
    let mo = this.moments.get(key);
    if (!mo) this.moments.set(key, (mo = { m: new Float64Array(x.length), v: new Float64Array(x.length) }));
    const { m, v } = mo;
    const div = opts.divide ?? 1;
    const sc = opts.scale;
    for (let i = 0; i < x.length; i++) {
      const s = sc ? sc[i % sc.length]! : 1;
      const gi = (sc ? g[i]! * s : g[i]!) / div;
      m[i] = ADAM_BETA1 * m[i]! + (1 - ADAM_BETA1) * gi;
      v[i] = ADAM_BETA2 * v[i]! + (1 - ADAM_BETA2) * gi * gi;
      const step = (this.rate * m[i]!) / (Math.sqrt(v[i]!) + ADAM_EPS);
      let xi = x[i]! + (sc ? s * step : step);
      if (opts.lower) xi = Math.max(opts.lower[i]!, xi);
      if (opts.upper) xi = Math.min(opts.upper[i]!, xi);
      x[i] = xi;
    }
  }
}

/** Epochs of early stopping's patience, and of tol's, unless the fit says otherwise. */
const DEFAULT_PATIENCE = 5;

/** The driver's stopping rules for Adam: tol (relative, for `patience` epochs) when given, else the epoch limit. */
export function adamConvergence(settings: { readonly tol?: number; readonly patience?: number }): Pick<DriveSettings, 'convergence' | 'patience' | 'noTest'> {
  const patience = settings.patience ?? DEFAULT_PATIENCE;
  return settings.tol !== undefined ? { convergence: { kind: 'relative', tol: settings.tol, patience }, patience } : { patience, noTest: 'no tol given' };
}

