// Weighted MLE of StudentT(df, loc, scale) with the latent-scale representation
// x = loc + scale * z / sqrt(tau), tau ~ Gamma(df/2, df/2). Given df, EM on (loc, scale)
// uses the expected tau weights. Without a previous fit, df maximizes the profile likelihood
// (Brent on log df; ECME's alternating df steps crawl when df is large). From a previous
// fit (an EM M-step), a few ECME iterations with a Newton df step: each raises the
// likelihood, so the outer EM stays monotone (a generalized M-step).
import { digamma, lgamma, trigamma } from '../special.js';
import { weightedMedian } from './util.js';

export const DF_MIN = 0.05;
export const DF_MAX = 1000;
/** ECME iterations of a warm-started fit (an M-step from the previous parameters). */
const WARM_ITERATIONS = 5;

interface Data {
  readonly xs: ArrayLike<number>;
  readonly ws: ArrayLike<number>;
  readonly sw: number;
  readonly floor: number;
  readonly fixLoc: boolean;
  readonly fixScale: boolean;
  readonly taus: Float64Array;
}

interface State {
  df: number;
  mu: number;
  s2: number;
}

/** One EM update of (mu, s2) at the state's df; returns the relative parameter change. */
function emStep(d: Data, st: State): number {
  const { xs, ws, taus } = d;
  const { df, mu: mu0, s2: s20 } = st;
  let swt = 0;
  let swtx = 0;
  for (let i = 0; i < xs.length; i++) {
    const w = ws[i]!;
    if (w === 0) continue;
    const r = xs[i]! - mu0;
    taus[i] = (df + 1) / (df + (r * r) / s20);
    swt += w * taus[i]!;
    swtx += w * taus[i]! * xs[i]!;
  }
  if (!d.fixLoc) st.mu = swtx / swt;
  if (!d.fixScale) {
    let ss = 0;
    for (let i = 0; i < xs.length; i++) {
      if (ws[i]! === 0) continue;
      const r = xs[i]! - st.mu;
      ss += ws[i]! * taus[i]! * r * r;
    }
    st.s2 = ss / d.sw + d.floor;
  }
  return Math.abs(st.mu - mu0) / Math.sqrt(st.s2) + Math.abs(st.s2 - s20) / st.s2;
}

/** d/d df of the weighted mean log-likelihood at (mu, s2), and its derivative. */
function dfScore(d: Data, df: number, mu: number, s2: number): [number, number] {
  let s = 0;
  let ds = 0;
  for (let i = 0; i < d.xs.length; i++) {
    const w = d.ws[i]!;
    if (w === 0) continue;
    const r = d.xs[i]! - mu;
    const z2 = (r * r) / s2;
    const q = df * df + df * z2;
    s += w * (-Math.log1p(z2 / df) + ((df + 1) * z2) / q);
    ds += w * (z2 / q + (z2 * q - (df + 1) * z2 * (2 * df + z2)) / (q * q));
  }
  const score = 0.5 * (digamma((df + 1) / 2) - digamma(df / 2) - 1 / df + s / d.sw);
  const slope = 0.5 * (0.5 * trigamma((df + 1) / 2) - 0.5 * trigamma(df / 2) + 1 / (df * df) + ds / d.sw);
  return [score, slope];
}

/**
 * ECME's df step: the root of the df score in t = log df, by Newton from the current df,
 * falling back to bisection of the bracket found so far; clamped to [DF_MIN, DF_MAX].
 */
function solveDf(d: Data, df0: number, mu: number, s2: number): number {
  let lo = Math.log(DF_MIN);
  let hi = Math.log(DF_MAX);
  let t = Math.log(Math.min(Math.max(df0, DF_MIN), DF_MAX));
  for (let i = 0; i < 60; i++) {
    const df = Math.exp(t);
    const [g, slope] = dfScore(d, df, mu, s2);
    if (g > 0) lo = t;
    else hi = t;
    // In t the score is g * df with slope (slope * df + g) * df; its root is that of g.
    const gt = g * df;
    const st = (slope * df + g) * df;
    let next = st < 0 ? t - gt / st : NaN;
    if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
    if (Math.abs(next - t) < 1e-10 || hi - lo < 1e-10) return Math.exp(next);
    t = next;
  }
  return Math.exp(t);
}

/** Weighted mean log-likelihood. */
function meanLogLik(d: Data, st: State): number {
  const { df, mu, s2 } = st;
  let s = 0;
  for (let i = 0; i < d.xs.length; i++) {
    const w = d.ws[i]!;
    if (w === 0) continue;
    const r = d.xs[i]! - mu;
    s += w * Math.log1p((r * r) / (s2 * df));
  }
  return lgamma((df + 1) / 2) - lgamma(df / 2) - 0.5 * Math.log(df * Math.PI * s2) - ((df + 1) / 2) * (s / d.sw);
}

/**
 * Profile likelihood of df: EM on (mu, s2) until steps are below tol, warm-started from st.
 * The likelihood's error is quadratic in the parameters', so a loose tol suffices here.
 */
function profile(d: Data, st: State, df: number, tol = 1e-9): number {
  st.df = df;
  for (let it = 0; it < 2000 && emStep(d, st) > tol; it++);
  return meanLogLik(d, st);
}

export function fitStudentT(xs: ArrayLike<number>, ws: ArrayLike<number>, prev: ArrayLike<number> | undefined, floor: number, fixed: ReadonlySet<string> | undefined): number[] {
  const has = (r: string): boolean => fixed?.has(r) === true && prev !== undefined;
  let sw = 0;
  for (let i = 0; i < ws.length; i++) sw += ws[i]!;
  if (!(sw > 0)) return prev ? [prev[0]!, prev[1]!, prev[2]!] : [5, 0, 1];
  const d: Data = { xs, ws, sw, floor, fixLoc: has('loc'), fixScale: has('scale'), taus: new Float64Array(xs.length) };
  let st: State;
  if (prev) st = { df: prev[0]!, mu: prev[1]!, s2: prev[2]! * prev[2]! };
  else {
    const mu = weightedMedian(xs, ws);
    // 1.4826 * MAD estimates the scale robustly.
    const mad = 1.4826 * weightedMedian(Float64Array.from(xs, (x) => Math.abs(x - mu)), ws);
    st = { df: 5, mu, s2: mad * mad + floor };
  }
  if (has('df')) {
    for (let it = 0; it < (prev ? 100 : 2000) && emStep(d, st) > 1e-12; it++);
  } else if (prev) {
    for (let it = 0; it < WARM_ITERATIONS; it++) {
      const moved = emStep(d, st);
      const df0 = st.df;
      st.df = solveDf(d, st.df, st.mu, st.s2);
      if (moved + Math.abs(st.df - df0) / st.df < 1e-10) break;
    }
  } else {
    const best = maximize((t) => profile(d, st, Math.exp(t)), Math.log(DF_MIN), Math.log(DF_MAX), 1e-7);
    profile(d, st, Math.exp(best), 1e-12);
  }
  return [has('df') ? prev![0]! : st.df, has('loc') ? prev![1]! : st.mu, has('scale') ? prev![2]! : Math.sqrt(st.s2)];
}

/** Brent's method: the maximizer of a unimodal f on [a, b] to tolerance tol. */
function maximize(f: (t: number) => number, a: number, b: number, tol: number): number {
  const gold = 0.3819660112501051;
  let x = a + gold * (b - a);
  let w = x;
  let v = x;
  let fx = -f(x);
  let fw = fx;
  let fv = fx;
  let step = 0;
  let prevStep = 0;
  for (let it = 0; it < 200; it++) {
    const m = 0.5 * (a + b);
    const eps = tol * Math.abs(x) + 1e-12;
    if (Math.abs(x - m) <= 2 * eps - 0.5 * (b - a)) break;
    let parabolic = false;
    if (Math.abs(prevStep) > eps) {
      // A parabola through (v, w, x); accepted when it falls well inside the bracket.
      const r = (x - w) * (fx - fv);
      let q = (x - v) * (fx - fw);
      let p = (x - v) * q - (x - w) * r;
      q = 2 * (q - r);
      if (q > 0) p = -p;
      q = Math.abs(q);
      if (Math.abs(p) < Math.abs(0.5 * q * prevStep) && p > q * (a - x) && p < q * (b - x)) {
        prevStep = step;
        step = p / q;
        parabolic = true;
        if (x + step - a < 2 * eps || b - x - step < 2 * eps) step = x < m ? eps : -eps;
      }
    }
    if (!parabolic) {
      prevStep = x < m ? b - x : a - x;
      step = gold * prevStep;
    }
    const u = Math.abs(step) >= eps ? x + step : x + (step > 0 ? eps : -eps);
    const fu = -f(u);
    if (fu <= fx) {
      if (u < x) b = x;
      else a = x;
      [v, fv, w, fw, x, fx] = [w, fw, x, fx, u, fu];
    } else {
      if (u < x) a = u;
      else b = u;
      if (fu <= fw || w === x) [v, fv, w, fw] = [w, fw, u, fu];
      else if (fu <= fv || v === x || v === w) [v, fv] = [u, fu];
    }
  }
  return x;
}
