// Lifts a univariate distribution to a layer of `units` distributions over `dims` variables,
// independent copies per variable. Parameters: [units, dims] per scalar role and
// [units, dims, L] per 'levels' role (L = max levels, unused levels padded with 0). The layout of
// those arrays is factorized-layout.ts, streaming EM's statistics factorized-stats.ts.
import type { ArgError, ArgValue, EMOptions, LayerContext, LayerParams, LeafFamily, LeafStats, ParamSpec, UnivariateDist } from './types.js';
import { levelProduct } from './level-product.js';
import { discreteFastPathOn, isTabulated, levelCounts, OTHER, tabulatedLogDensity } from './discrete-fast.js';
import { factorizedLayout } from './factorized-layout.js';
import { countStats, meanStats } from './factorized-stats.js';

/** A plain vector of numbers (not a matrix). */
const isVector = (v: ArgValue): v is number[] => Array.isArray(v) && (v as unknown[]).every((x) => typeof x === 'number');

export function factorized(d: UnivariateDist): LeafFamily {
  const roles = d.params;
  /** Whether the table/count fast path (discrete-fast.ts) applies to this family. */
  const tabulated = isTabulated(d);
  const layout = factorizedLayout(d);
  const { hasLevels, lvOf, maxL, thetaLen, gather, allThetas, emptyParams, scatter, cellFitter } = layout;

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
    ...(tabulated ? { levelCounted: true } : {}),
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
      return d.sufficient === 'mean' ? meanStats(d, layout, ctx, prev, opts) : countStats(d, layout, ctx, prev, opts);
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
