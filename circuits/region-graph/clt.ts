// A plain Chow-Liu tree distribution over discrete variables: the baseline the circuits are
// compared with (e.g. on binarized digits). Conditional probability tables with Laplace
// smoothing alpha; log-likelihood of rows with missing values (NaN) marginalizes them exactly
// by message passing up the tree.
import { Rng } from '../../stdlib/random.js';
import { chowLiuTree, type ChowLiuOptions, type ChowLiuTree } from './chow-liu.js';
import { checkData, type VarInfo } from './mutual-info.js';

export interface ChowLiuModelOptions extends ChowLiuOptions {
  /** Laplace smoothing of the conditional probability tables (default 1). */
  readonly cptAlpha?: number;
}

export interface ChowLiuModel {
  readonly vars: readonly VarInfo[];
  readonly tree: ChowLiuTree;
  /** logCpt[j][b * L_j + a] = log p(x_j = a | x_parent = b); for the root, log p(x_root = a). */
  readonly logCpt: readonly Float64Array[];
  /** Per-row log-likelihood of x (n x vars.length, same columns as in fitting; NaN = missing). */
  logLikelihood(x: Float64Array, n: number): Float64Array;
  meanLogLikelihood(x: Float64Array, n: number): number;
  /** Ancestral samples, n x vars.length. */
  sample(n: number, rng: Rng): Float64Array;
}

export function fitChowLiu(x: Float64Array, n: number, vars: readonly VarInfo[], opts: ChowLiuModelOptions = {}): ChowLiuModel {
  const real = vars.find((v) => v.kind !== 'discrete');
  if (real) throw new Error(`fitChowLiu: variable ${real.index} is real; the Chow-Liu baseline takes discrete variables only`);
  const alpha = opts.cptAlpha ?? 1;
  if (!(alpha >= 0)) throw new Error(`fitChowLiu: cptAlpha must be >= 0, got ${alpha}`);
  const tree = chowLiuTree(x, n, vars, opts);
  const d = vars.length;
  const w = opts.weights;
  // Counts over the rows where the variable and its parent are both present.
  const logCpt = vars.map((v, j) => {
    const p = tree.parent[j]!;
    const lp = p < 0 ? 1 : vars[p]!.levels;
    const L = v.levels;
    const c = new Float64Array(lp * L);
    for (let i = 0; i < n; i++) {
      const a = x[i * d + j]!;
      const b = p < 0 ? 0 : x[i * d + p]!;
      if (Number.isNaN(a) || Number.isNaN(b)) continue;
      c[b * L + a] += w ? w[i]! : 1;
    }
    for (let b = 0; b < lp; b++) {
      let s = 0;
      for (let a = 0; a < L; a++) s += c[b * L + a]! + alpha;
      for (let a = 0; a < L; a++) c[b * L + a] = s > 0 ? Math.log((c[b * L + a]! + alpha) / s) : -Math.log(L);
    }
    return c;
  });

  const logLikelihood = (y: Float64Array, m: number): Float64Array => {
    checkData(y, m, vars, undefined, 'logLikelihood');
    const out = new Float64Array(m);
    // lam[j][a]: log p(evidence in subtree j | x_j = a)
    const lam = vars.map((v) => new Float64Array(v.levels));
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < d; j++) {
        const a = y[i * d + j]!;
        lam[j]!.fill(Number.isNaN(a) ? 0 : -Infinity);
        if (!Number.isNaN(a)) lam[j]![a] = 0;
      }
      for (let k = d - 1; k >= 0; k--) {
        const j = tree.order[k]!;
        const p = tree.parent[j]!;
        const L = vars[j]!.levels;
        const cpt = logCpt[j]!;
        const lj = lam[j]!;
        if (p < 0) {
          out[i] = logSumExp(L, (a) => cpt[a]! + lj[a]!);
          continue;
        }
        const lpar = lam[p]!;
        for (let b = 0; b < lpar.length; b++) lpar[b] += logSumExp(L, (a) => cpt[b * L + a]! + lj[a]!);
      }
    }
    return out;
  };

  return {
    vars,
    tree,
    logCpt,
    logLikelihood,
    meanLogLikelihood(y, m) {
      const ll = logLikelihood(y, m);
      let s = 0;
      for (let i = 0; i < m; i++) s += ll[i]!;
      return s / m;
    },
    sample(m, rng) {
      const out = new Float64Array(m * d);
      for (let i = 0; i < m; i++) {
        for (const j of tree.order) {
          const p = tree.parent[j]!;
          const L = vars[j]!.levels;
          const b = p < 0 ? 0 : out[i * d + p]!;
          let u = rng.uniform();
          let a = 0;
          for (; a < L - 1; a++) {
            u -= Math.exp(logCpt[j]![b * L + a]!);
            if (u < 0) break;
          }
          out[i * d + j] = a;
        }
      }
      return out;
    },
  };
}

function logSumExp(L: number, f: (a: number) => number): number {
  let m = -Infinity;
  for (let a = 0; a < L; a++) m = Math.max(m, f(a));
  if (m === -Infinity) return -Infinity;
  let s = 0;
  for (let a = 0; a < L; a++) s += Math.exp(f(a) - m);
  return m + Math.log(s);
}
