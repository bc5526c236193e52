// L-BFGS with box bounds (projected L-BFGS): minimizes f over lower <= x <= upper. The
// search direction is the two-loop recursion over the last `memory` pairs, restricted to
// the variables not held at a bound; steps are projected back into the box and accepted by
// a backtracking Armijo line search. A generator: it yields after every iteration that does
// not end the run (the fit driver, driver.ts, counts, reports and checkpoints them; an
// iteration that meets a criterion returns the result instead).

export interface LbfgsOptions {
  readonly maxIter?: number;
  /** Stop when the projected gradient's largest entry is below this. */
  readonly gtol?: number;
  /** Stop when the relative decrease of f is below this (scipy's factr * eps). */
  readonly ftol?: number;
  readonly memory?: number;
  readonly lower?: Float64Array;
  readonly upper?: Float64Array;
}

export interface LbfgsResult {
  readonly x: Float64Array;
  readonly f: number;
  readonly iterations: number;
  readonly evaluations: number;
  readonly converged: boolean;
  /** Why it stopped: a criterion held, the iteration limit, or no step decreased f. */
  readonly stop: 'converged' | 'max_iter' | 'stalled';
  readonly message: string;
}

export interface LbfgsStep {
  readonly iteration: number;
  readonly f: number;
  /** The current point (the generator's own array: copy it to keep it). */
  readonly x: Float64Array;
}

/** f(x) returns the value and writes the gradient into g. */
export type Objective = (x: Float64Array, g: Float64Array) => number;

export function* lbfgs(fg: Objective, x0: Float64Array, opts: LbfgsOptions = {}): Generator<LbfgsStep, LbfgsResult, void> {
  const n = x0.length;
  const maxIter = opts.maxIter ?? 200;
  const gtol = opts.gtol ?? 1e-5;
  const ftol = opts.ftol ?? 2.2e-9;
  const mem = opts.memory ?? 10;
  const lo = opts.lower ?? new Float64Array(n).fill(-Infinity);
  const hi = opts.upper ?? new Float64Array(n).fill(Infinity);
  const project = (v: Float64Array): void => {
    for (let i = 0; i < n; i++) v[i] = Math.min(hi[i]!, Math.max(lo[i]!, v[i]!));
  };
  const x = Float64Array.from(x0);
  project(x);
  const g = new Float64Array(n);
  let f = fg(x, g);
  let evals = 1;
  if (!Number.isFinite(f)) return { x, f, iterations: 0, evaluations: evals, converged: false, stop: 'stalled', message: 'the objective is not finite at the start' };
  const S: Float64Array[] = [];
  const Y: Float64Array[] = [];
  const xn = new Float64Array(n);
  const gn = new Float64Array(n);
  const d = new Float64Array(n);
  /** Variables at a bound with the gradient pushing outward are held. */
  const held = (i: number): boolean => (x[i]! <= lo[i]! && g[i]! > 0) || (x[i]! >= hi[i]! && g[i]! < 0);
  const pgNorm = (): number => {
    let m = 0;
    for (let i = 0; i < n; i++) if (!held(i)) m = Math.max(m, Math.abs(g[i]!));
    return m;
  };
  for (let it = 1; it <= maxIter; it++) {
    if (pgNorm() < gtol) return { x, f, iterations: it - 1, evaluations: evals, converged: true, stop: 'converged', message: 'projected gradient below tolerance' };
    // Two-loop recursion on the free variables.
    for (let i = 0; i < n; i++) d[i] = held(i) ? 0 : -g[i]!;
    const k = S.length;
    const alpha = new Float64Array(k);
    const rho = new Float64Array(k);
    for (let j = k - 1; j >= 0; j--) {
      rho[j] = 1 / dot(Y[j]!, S[j]!);
      alpha[j] = rho[j]! * dot(S[j]!, d);
      axpy(-alpha[j]!, Y[j]!, d);
    }
    if (k > 0) {
      const gamma = dot(S[k - 1]!, Y[k - 1]!) / dot(Y[k - 1]!, Y[k - 1]!);
      for (let i = 0; i < n; i++) d[i] *= gamma;
    }
    for (let j = 0; j < k; j++) {
      const beta = rho[j]! * dot(Y[j]!, d);
      axpy(alpha[j]! - beta, S[j]!, d);
    }
    for (let i = 0; i < n; i++) if (held(i)) d[i] = 0;
    let slope = dot(g, d);
    if (!(slope < 0)) {
      // Not a descent direction: restart from steepest descent.
      S.length = 0;
      Y.length = 0;
      for (let i = 0; i < n; i++) d[i] = held(i) ? 0 : -g[i]!;
      slope = dot(g, d);
    }
    // First step of a fresh memory: a unit-length move.
    let step = S.length === 0 ? Math.min(1, 1 / Math.max(1e-12, Math.sqrt(dot(d, d)))) : 1;
    let fnew = NaN;
    let accepted = false;
    for (let ls = 0; ls < 30; ls++) {
      for (let i = 0; i < n; i++) xn[i] = x[i]! + step * d[i]!;
      project(xn);
      fnew = fg(xn, gn);
      evals++;
      let dec = 0;
      for (let i = 0; i < n; i++) dec += g[i]! * (xn[i]! - x[i]!);
      if (Number.isFinite(fnew) && fnew <= f + 1e-4 * dec) {
        accepted = true;
        break;
      }
      step *= Number.isFinite(fnew) ? 0.5 : 0.1;
    }
    if (!accepted) return { x, f, iterations: it, evaluations: evals, converged: false, stop: 'stalled', message: 'the line search found no decrease' };
    const s = new Float64Array(n);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      s[i] = xn[i]! - x[i]!;
      y[i] = gn[i]! - g[i]!;
    }
    if (dot(s, y) > 1e-10 * Math.max(1e-300, dot(y, y))) {
      S.push(s);
      Y.push(y);
      if (S.length > mem) {
        S.shift();
        Y.shift();
      }
    }
    const fold = f;
    x.set(xn);
    g.set(gn);
    f = fnew;
    if ((fold - f) / Math.max(Math.abs(fold), Math.abs(f), 1) <= ftol) return { x, f, iterations: it, evaluations: evals, converged: true, stop: 'converged', message: 'relative decrease below tolerance' };
    if (it < maxIter) yield { iteration: it, f, x };
  }
  return { x, f, iterations: maxIter, evaluations: evals, converged: false, stop: 'max_iter', message: `max_iter = ${maxIter}` };
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

function axpy(a: number, x: Float64Array, y: Float64Array): void {
  for (let i = 0; i < x.length; i++) y[i] += a * x[i]!;
}

/** Runs the generator to its end. */
export function minimize(fg: Objective, x0: Float64Array, opts: LbfgsOptions = {}): LbfgsResult {
  const it = lbfgs(fg, x0, opts);
  for (;;) {
    const r = it.next();
    if (r.done) return r.value;
  }
}
