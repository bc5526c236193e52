// Lifts a univariate distribution to a layer of `units` distributions over `dims` variables,
// independent copies per variable. Parameters: [units, dims] per scalar role and
// [units, dims, L] per 'levels' role (L = max levels, unused levels padded with 0).
import type { ArgError, ArgValue, EMOptions, LayerContext, LayerParams, LeafFamily, LeafStats, ParamSpec, UnivariateDist } from './types.js';
import { clampUnit } from './util.js';
import { levelProduct } from './level-product.js';
import { discreteFastPathOn, isTabulated, levelCounts, OTHER, tabulatedLogDensity } from './discrete-fast.js';

/** A plain vector of numbers (not a matrix). */
const isVector = (v: ArgValue): v is number[] => Array.isArray(v) && (v as unknown[]).every((x) => typeof x === 'number');

/** Pseudocount added to each probability of a levels role at init (keeps every level possible). */
const INIT_PSEUDOCOUNT = 1e-3;

export function factorized(d: UnivariateDist): LeafFamily {
  const roles = d.params;
  const hasLevels = roles.some((r) => r.size === 'levels');
  /** Whether the table/count fast path (discrete-fast.ts) applies to this family. */
  const tabulated = isTabulated(d);
  // A levels role on a bool column (levels 0 in the context) has two levels: false, true.
  const lvOf = (ctx: LayerContext, j: number): number => (hasLevels ? Math.max(ctx.levels[j] ?? 0, 0) || 2 : 0);
  const maxL = (ctx: LayerContext): number => {
    let l = 1;
    for (let j = 0; j < ctx.dims; j++) l = Math.max(l, lvOf(ctx, j));
    return hasLevels ? l : 0;
  };
  const thetaLen = (lv: number): number => roles.reduce((s, r) => s + (r.size === 'levels' ? lv : 1), 0);

  /** Copies the parameters of (unit u, variable j) into theta. */
  const gather = (p: Readonly<Record<string, ArrayLike<number>>>, ctx: LayerContext, u: number, j: number, L: number, theta: Float64Array): void => {
    const lv = lvOf(ctx, j);
    let k = 0;
    for (const r of roles) {
      const a = p[r.role]!;
      if (r.size === 'levels') for (let l = 0; l < lv; l++) theta[k++] = a[(u * ctx.dims + j) * L + l]!;
      else theta[k++] = a[u * ctx.dims + j]!;
    }
  };
  /** All thetas of a layer, index u * dims + j. */
  const allThetas = (p: LayerParams, ctx: LayerContext): Float64Array[] => {
    const L = maxL(ctx);
    const out: Float64Array[] = [];
    for (let u = 0; u < ctx.units; u++) {
      for (let j = 0; j < ctx.dims; j++) {
        const t = new Float64Array(thetaLen(lvOf(ctx, j)));
        gather(p, ctx, u, j, L, t);
        out.push(t);
      }
    }
    return out;
  };
  const emptyParams = (ctx: LayerContext, units: number): LayerParams => {
    const L = maxL(ctx);
    const p: LayerParams = {};
    for (const r of roles) p[r.role] = new Float64Array(units * ctx.dims * (r.size === 'levels' ? L : 1));
    return p;
  };
  /** Writes theta (weighted by scale, added when accumulate) into the arrays of (u, j). */
  const scatter = (theta: ArrayLike<number>, out: LayerParams, ctx: LayerContext, u: number, j: number, L: number, scale = 1, accumulate = false): void => {
    const lv = lvOf(ctx, j);
    let k = 0;
    for (const r of roles) {
      const a = out[r.role];
      const n = r.size === 'levels' ? lv : 1;
      if (a !== undefined && !(accumulate && r.structural)) {
        const base = r.size === 'levels' ? (u * ctx.dims + j) * L : u * ctx.dims + j;
        for (let l = 0; l < n; l++) a[base + l] = (accumulate ? a[base + l]! : 0) + scale * theta[k + l]!;
      }
      k += n;
    }
  };
  /** Keeps fitted values in their parameter's domain (init adds the levels pseudocount). */
  const sanitize = (theta: number[], lv: number, floor: number, init: boolean): void => {
    let k = 0;
    for (const r of roles) {
      if (r.size === 'levels') {
        let total = 0;
        for (let l = 0; l < lv; l++) {
          const v = theta[k + l]!;
          theta[k + l] = (Number.isFinite(v) && v > 0 ? v : 0) + (init ? INIT_PSEUDOCOUNT : 0);
          total += theta[k + l]!;
        }
        for (let l = 0; l < lv; l++) theta[k + l] = total > 0 ? theta[k + l]! / total : 1 / lv;
        k += lv;
        continue;
      }
      const v = theta[k]!;
      // Only impossible values are replaced: a small positive value may be a legitimate rate.
      if (r.param.kind === 'positive') theta[k] = Number.isNaN(v) ? 1 : v === Infinity ? 1 / floor : v > 0 ? v : floor;
      else if (r.param.kind === 'unit') theta[k] = clampUnit(Number.isNaN(v) ? 0.5 : v, floor);
      else if (!Number.isFinite(v) && !r.structural) theta[k] = 0;
      k++;
    }
  };

  /** A function that fits (unit u, variable j) to values xs with weights ws and writes it to out. */
  const cellFitter = (ctx: LayerContext, prev: LayerParams | undefined, opts: EMOptions, init: boolean, out: LayerParams) => {
    const L = maxL(ctx);
    const floor = Math.max(opts.regCovar, 1e-10);
    return (xs: Float64Array, ws: Float64Array, u: number, j: number, lv: number, prevTheta: Float64Array): void => {
      if (prev) gather(prev, ctx, u, j, L, prevTheta);
      const fixed = prev ? opts.fixed : undefined;
      const theta = d.fit(xs, ws, prev ? prevTheta : undefined, lv, floor, fixed, opts.smoothing);
      if (prev) {
        let k = 0;
        for (const r of roles) {
          const m = r.size === 'levels' ? lv : 1;
          if (r.structural || opts.fixed.has(r.role)) for (let l = 0; l < m; l++) theta[k + l] = prevTheta[k + l]!;
          k += m;
        }
      }
      sanitize(theta, lv, floor, init);
      scatter(theta, out, ctx, u, j, L);
    };
  };

  const fitLayer = (x: Float64Array, n: number, resp: Float64Array, ctx: LayerContext, prev: LayerParams | undefined, opts: EMOptions, init: boolean): LayerParams => {
    const { dims, units } = ctx;
    const out = emptyParams(ctx, units);
    const fast = tabulated && discreteFastPathOn();
    const fitCell = cellFitter(ctx, prev, opts, init, out);
    for (let j = 0; j < dims; j++) {
      const lv = lvOf(ctx, j);
      const prevTheta = new Float64Array(thetaLen(lv));
      // Fast path: the fit sees each level 0..C-1 once, weighted by its summed responsibilities.
      const lc = fast ? levelCounts(x, n, dims, j, resp, units) : undefined;
      if (lc && !lc.other) {
        const C = lc.L;
        const xs = new Float64Array(C);
        for (let l = 0; l < C; l++) xs[l] = l;
        const ws = new Float64Array(C);
        for (let u = 0; u < units; u++) {
          let sw = 0;
          for (let l = 0; l < C; l++) sw += ws[l] = lc.counts[l * units + u]!;
          // An empty unit at init gets the fit of the whole column (never a degenerate default).
          if (init && !(sw > 0)) ws.set(lc.rows.subarray(0, C));
          fitCell(xs, ws, u, j, lv, prevTheta);
        }
        continue;
      }
      const rows: number[] = [];
      for (let i = 0; i < n; i++) if (!Number.isNaN(x[i * dims + j]!)) rows.push(i);
      const xs = Float64Array.from(rows, (i) => x[i * dims + j]!);
      const ws = new Float64Array(rows.length);
      for (let u = 0; u < units; u++) {
        let sw = 0;
        for (let r = 0; r < rows.length; r++) sw += ws[r] = resp[rows[r]! * units + u]!;
        // An empty unit at init gets the fit of the whole column (never a degenerate default).
        if (init && !(sw > 0)) ws.fill(1);
        fitCell(xs, ws, u, j, lv, prevTheta);
      }
    }
    return out;
  };

  /** Per variable, the values unit p (one unit's roles, no units axis) gives positive probability. */
  const unitSupport = (support: NonNullable<UnivariateDist['positiveValues']>, p: Readonly<Record<string, ArrayLike<number>>>, ctx: LayerContext): number[][] | undefined => {
    if (roles.some((r) => p[r.role] === undefined)) return undefined;
    const L = maxL(ctx);
    return Array.from({ length: ctx.dims }, (_, j) => {
      const theta = new Float64Array(thetaLen(lvOf(ctx, j)));
      gather(p, ctx, 0, j, L, theta);
      return support(theta, lvOf(ctx, j) || (ctx.levels[j] ?? 0));
    });
  };

  const family: LeafFamily = {
    name: d.name,
    variants: [],
    multivariate: false,
    accepts: (t) => d.accepts(t),
    expects: d.expects,
    ...(d.finiteLevels ? { finiteLevels: (ctx: LayerContext, j: number) => d.finiteLevels!(ctx.levels[j] ?? 0) } : {}),
    ...(d.support ? { support: d.support } : {}),
    argNames: d.argNames,
    ...(d.defaultFor ? { defaultFor: { types: d.defaultFor } } : {}),
    ...(d.positiveValues ? { finiteSupport: (p, ctx) => unitSupport(d.positiveValues!, p, ctx) } : {}),
    paramSpecs(ctx): ParamSpec[] {
      const L = maxL(ctx);
      return roles.map((r) => ({ role: r.role, shape: r.size === 'levels' ? [ctx.units, ctx.dims, L] : [ctx.units, ctx.dims], param: r.param }));
    },
    fromArgs(args, ctx) {
      const L = maxL(ctx);
      const values: Record<string, number[]> = {};
      const errors: ArgError[] = [];
      const seen = new Set<string>();
      // A family whose parameters are all scalars takes a vector per argument: one value per
      // variable (a number is every variable's value).
      const perVar = hasLevels ? [] : Object.keys(args).filter((k) => isVector(args[k]!));
      for (const k of perVar) {
        const n = (args[k] as number[]).length;
        if (n !== ctx.dims) {
          errors.push({ arg: k, message: `${k} must have ${ctx.dims} ${ctx.dims === 1 ? 'entry' : 'entries'} (one per variable) or be one number, got ${n}` });
          return { values, errors };
        }
      }
      for (let j = 0; j < ctx.dims; j++) {
        const lv = lvOf(ctx, j);
        const argsJ = perVar.length ? { ...args, ...Object.fromEntries(perVar.map((k) => [k, (args[k] as number[])[j]!])) } : args;
        const r = d.fromArgs(argsJ, lv);
        // name the entry of a vector argument that is out of range
        if (perVar.length) r.errors.forEach((e, i) => perVar.includes(e.arg) && (r.errors[i] = { arg: e.arg, message: e.message.replace(e.arg, `${e.arg} (entry ${j + 1} of ${ctx.dims})`) }));
        for (const e of r.errors) {
          if (!seen.has(e.arg + e.message)) errors.push(e);
          seen.add(e.arg + e.message);
        }
        for (const role of roles) {
          const v = r.values[role.role];
          if (v === undefined) continue;
          const width = role.size === 'levels' ? L : 1;
          const arr = (values[role.role] ??= new Array<number>(ctx.dims * width).fill(0));
          for (let l = 0; l < v.length && l < width; l++) arr[j * width + l] = v[l]!;
        }
      }
      // A role is only given when it is valid for every variable.
      if (errors.length > 0) for (const e of errors) delete values[e.arg];
      return { values, errors };
    },
    logDensity(p, ctx, x, n, out) {
      const { dims, units } = ctx;
      const thetas = allThetas(p, ctx);
      const lvs = Array.from({ length: dims }, (_, j) => lvOf(ctx, j));
      if (tabulated && discreteFastPathOn()) return tabulatedLogDensity(d, thetas, lvs, units, dims, x, n, out);
      for (let i = 0; i < n; i++) {
        for (let u = 0; u < units; u++) {
          let s = 0;
          for (let j = 0; j < dims; j++) {
            const v = x[i * dims + j]!;
            if (!Number.isNaN(v)) s += d.logDensity(v, thetas[u * dims + j]!, lvs[j]!);
          }
          out[i * units + u] = s;
        }
      }
    },
    sample(p, ctx, unit, rng, out) {
      const L = maxL(ctx);
      for (let j = 0; j < ctx.dims; j++) {
        const t = new Float64Array(thetaLen(lvOf(ctx, j)));
        gather(p, ctx, unit, j, L, t);
        out[j] = d.sample(t, rng, lvOf(ctx, j));
      }
    },
    mean: (p, ctx, unit) => perVar(p, ctx, unit, (t, lv) => d.mean(t, lv)),
    variance: (p, ctx, unit) => perVar(p, ctx, unit, (t, lv) => d.variance(t, lv)),
    mode: (p, ctx, unit) => perVar(p, ctx, unit, (t, lv) => d.mode(t, lv)),
    init: (x, n, resp, ctx, _rng, opts) => fitLayer(x, n, resp, ctx, undefined, opts, true),
    mstep: (x, n, resp, ctx, prev, opts) => fitLayer(x, n, resp, ctx, prev, opts, false),
    newStats(ctx, prev, opts): LeafStats | undefined {
      if (!d.sufficient) return undefined;
      return d.sufficient === 'mean' ? meanStats(ctx, prev, opts) : countStats(ctx, prev, opts);
    },
    gradLogDensity(p, ctx, x, n, coef, grad) {
      const { dims, units } = ctx;
      const L = maxL(ctx);
      const thetas = allThetas(p, ctx);
      const tmp = new Float64Array(thetaLen(Math.max(L, 1)));
      if (tabulated && discreteFastPathOn()) {
        // Per level: the gradient at that level once, times the summed coefficients of its rows.
        for (let j = 0; j < dims; j++) {
          const lv = lvOf(ctx, j);
          const lc = levelCounts(x, n, dims, j, coef, units);
          for (let l = 0; l < lc.L; l++) {
            if (lc.rows[l] === 0) continue;
            for (let u = 0; u < units; u++) {
              const c = lc.counts[l * units + u]!;
              if (c === 0) continue;
              d.gradLogDensity(l, thetas[u * dims + j]!, lv, tmp);
              scatter(tmp, grad, ctx, u, j, L, c, true);
            }
          }
          if (!lc.other) continue;
          for (let i = 0; i < n; i++) {
            if (lc.codes[i] !== OTHER) continue;
            const v = x[i * dims + j]!;
            for (let u = 0; u < units; u++) {
              const c = coef[i * units + u]!;
              if (c === 0) continue;
              d.gradLogDensity(v, thetas[u * dims + j]!, lv, tmp);
              scatter(tmp, grad, ctx, u, j, L, c, true);
            }
          }
        }
        return;
      }
      for (let i = 0; i < n; i++) {
        for (let u = 0; u < units; u++) {
          const c = coef[i * units + u]!;
          if (c === 0) continue;
          for (let j = 0; j < dims; j++) {
            const v = x[i * dims + j]!;
            if (Number.isNaN(v)) continue;
            d.gradLogDensity(v, thetas[u * dims + j]!, lvOf(ctx, j), tmp);
            scatter(tmp, grad, ctx, u, j, L, c, true);
          }
        }
      }
    },
    freeParams(ctx) {
      let perUnit = 0;
      for (let j = 0; j < ctx.dims; j++) {
        for (const r of roles) if (!r.structural) perUnit += r.size === 'levels' ? lvOf(ctx, j) - 1 : 1;
      }
      return { perUnit, shared: 0 };
    },
    condition(p, ctx, unit, evidence, drop) {
      // Independence within a unit: the conditional is the marginal of the kept free coordinates.
      const free: number[] = [];
      for (let j = 0; j < ctx.dims; j++) if (Number.isNaN(evidence[j]!) && !drop?.[j]) free.push(j);
      const sub: LayerContext = { dims: free.length, units: 1, variant: '', levels: free.map((j) => ctx.levels[j] ?? 0) };
      const L = maxL(ctx);
      const subL = maxL(sub);
      const params = emptyParams(sub, 1);
      free.forEach((j, f) => {
        const t = new Float64Array(thetaLen(lvOf(ctx, j)));
        gather(p, ctx, unit, j, L, t);
        scatter(t, params, sub, 0, f, subL);
      });
      return { params, ctx: sub };
    },
  };

  /**
   * 'mean' families: per (unit, variable) the total weight and the weighted sum of the observed
   * values; the fit sees one point at the weighted mean carrying the total weight.
   */
  function meanStats(ctx: LayerContext, prev: LayerParams, opts: EMOptions): LeafStats {
    const { dims, units } = ctx;
    const sw = new Float64Array(units * dims);
    const s1 = new Float64Array(units * dims);
    return {
      accumulate(x, n, resp) {
        for (let i = 0; i < n; i++) {
          for (let j = 0; j < dims; j++) {
            const v = x[i * dims + j]!;
            if (Number.isNaN(v)) continue;
            for (let u = 0; u < units; u++) {
              const w = resp[i * units + u]!;
              if (w === 0) continue;
              sw[u * dims + j] += w;
              s1[u * dims + j] += w * v;
            }
          }
        }
      },
      addModel(u, weight) {
        // A 'mean' family's fit depends on the weighted mean only: the unit's own mean, with the weight.
        const L = maxL(ctx);
        for (let j = 0; j < dims; j++) {
          const t = new Float64Array(thetaLen(lvOf(ctx, j)));
          gather(prev, ctx, u, j, L, t);
          sw[u * dims + j] += weight;
          s1[u * dims + j] += weight * d.mean(t, lvOf(ctx, j));
        }
      },
      scale(c) {
        for (let i = 0; i < sw.length; i++) {
          sw[i] *= c;
          s1[i] *= c;
        }
      },
      finalize() {
        const out = emptyParams(ctx, units);
        const fitCell = cellFitter(ctx, prev, opts, false, out);
        const xs = new Float64Array(1);
        const ws = new Float64Array(1);
        for (let j = 0; j < dims; j++) {
          const prevTheta = new Float64Array(thetaLen(lvOf(ctx, j)));
          for (let u = 0; u < units; u++) {
            const w = sw[u * dims + j]!;
            xs[0] = w > 0 ? s1[u * dims + j]! / w : 0;
            ws[0] = w;
            fitCell(xs, ws, u, j, lvOf(ctx, j), prevTheta);
          }
        }
        return out;
      },
    };
  }

  /** 'counts' families: per variable, the summed responsibilities of each distinct observed value. */
  function countStats(ctx: LayerContext, prev: LayerParams, opts: EMOptions): LeafStats {
    const { dims, units } = ctx;
    const hist = Array.from({ length: dims }, () => new Map<number, Float64Array>());
    return {
      accumulate(x, n, resp) {
        for (let j = 0; j < dims; j++) {
          const h = hist[j]!;
          for (let i = 0; i < n; i++) {
            const v = x[i * dims + j]!;
            if (Number.isNaN(v)) continue;
            let c = h.get(v);
            if (!c) h.set(v, (c = new Float64Array(units)));
            for (let u = 0; u < units; u++) c[u] += resp[i * units + u]!;
          }
        }
      },
      // A 'counts' family: each value of the unit's support with its probability times the weight.
      ...(d.positiveValues
        ? {
            addModel(u: number, weight: number) {
              const L = maxL(ctx);
              for (let j = 0; j < dims; j++) {
                const lv = lvOf(ctx, j);
                const t = new Float64Array(thetaLen(lv));
                gather(prev, ctx, u, j, L, t);
                const h = hist[j]!;
                for (const v of d.positiveValues!(t, lv)) {
                  let c = h.get(v);
                  if (!c) h.set(v, (c = new Float64Array(units)));
                  c[u] += weight * Math.exp(d.logDensity(v, t, lv));
                }
              }
            },
          }
        : {}),
      scale(c) {
        for (const h of hist) for (const counts of h.values()) for (let u = 0; u < units; u++) counts[u] *= c;
      },
      finalize() {
        const out = emptyParams(ctx, units);
        const fitCell = cellFitter(ctx, prev, opts, false, out);
        for (let j = 0; j < dims; j++) {
          const entries = [...hist[j]!.entries()].sort((a, b) => a[0] - b[0]);
          const xs = Float64Array.from(entries, (e) => e[0]);
          const ws = new Float64Array(entries.length);
          const prevTheta = new Float64Array(thetaLen(lvOf(ctx, j)));
          for (let u = 0; u < units; u++) {
            entries.forEach((e, k) => (ws[k] = e[1][u]!));
            fitCell(xs, ws, u, j, lvOf(ctx, j), prevTheta);
          }
        }
        return out;
      },
    };
  }

  function perVar(p: LayerParams, ctx: LayerContext, unit: number, f: (t: Float64Array, lv: number) => number): Float64Array {
    const L = maxL(ctx);
    const out = new Float64Array(ctx.dims);
    for (let j = 0; j < ctx.dims; j++) {
      const t = new Float64Array(thetaLen(lvOf(ctx, j)));
      gather(p, ctx, unit, j, L, t);
      out[j] = f(t, lvOf(ctx, j));
    }
    return out;
  }

  if (d.cdf) {
    const cdf = d.cdf.bind(d);
    family.cdf = (p, ctx, unit, x) => {
      if (ctx.dims !== 1) throw new Error(`${d.name}: cdf needs a layer over one variable, got ${ctx.dims}`);
      const t = new Float64Array(thetaLen(lvOf(ctx, 0)));
      gather(p, ctx, unit, 0, maxL(ctx), t);
      return cdf(x, t, lvOf(ctx, 0));
    };
  }
  // The level-by-level product reads the family's own log-density and gradient.
  return d.levelProduct ? { ...family, squareProduct: levelProduct(family) } : family;
}
