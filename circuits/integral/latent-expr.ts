// Closed-form functions of latent variables written in model text (`mean = tanh(2 * z)`):
// evaluation at a point by a tree walk, and the affine form a z + b when the expression has
// one (what the analytic linear-Gaussian pass needs).
import type { LatentExpr } from '../../ir/types.js';
import { mathFunction } from '../../stdlib/math-functions.js';

/** The value at a point: `at` maps each latent's name to its value. */
export function evalLatentExpr(e: LatentExpr, at: Readonly<Record<string, number>>): number {
  switch (e.op) {
    case 'num':
      return e.value;
    case 'latent':
      return at[e.name] ?? NaN;
    case 'neg':
      return -evalLatentExpr(e.a, at);
    case '+':
      return evalLatentExpr(e.a, at) + evalLatentExpr(e.b, at);
    case '-':
      return evalLatentExpr(e.a, at) - evalLatentExpr(e.b, at);
    case '*':
      return evalLatentExpr(e.a, at) * evalLatentExpr(e.b, at);
    case '/':
      return evalLatentExpr(e.a, at) / evalLatentExpr(e.b, at);
    case '^':
      return Math.pow(evalLatentExpr(e.a, at), evalLatentExpr(e.b, at));
    case 'call': {
      const fn = mathFunction(e.fn);
      return fn ? fn.f(...e.args.map((a) => evalLatentExpr(a, at))) : NaN;
    }
  }
}

/** The latents an expression reads. */
export function latentsOf(e: LatentExpr, out = new Set<string>()): Set<string> {
  switch (e.op) {
    case 'num':
      break;
    case 'latent':
      out.add(e.name);
      break;
    case 'neg':
      latentsOf(e.a, out);
      break;
    case 'call':
      e.args.forEach((a) => latentsOf(a, out));
      break;
    default:
      latentsOf(e.a, out);
      latentsOf(e.b, out);
  }
  return out;
}

/** a z + b when e is affine in the latent `z` (exactly, symbolically), else undefined. */
export function affineIn(e: LatentExpr, z: string): { a: number; b: number } | undefined {
  const constant = (x: LatentExpr): number | undefined => (latentsOf(x).size === 0 ? evalLatentExpr(x, {}) : undefined);
  switch (e.op) {
    case 'num':
      return { a: 0, b: e.value };
    case 'latent':
      return e.name === z ? { a: 1, b: 0 } : undefined;
    case 'neg': {
      const f = affineIn(e.a, z);
      return f && { a: -f.a, b: -f.b };
    }
    case '+':
    case '-': {
      const f = affineIn(e.a, z);
      const g = affineIn(e.b, z);
      if (!f || !g) return undefined;
      const s = e.op === '+' ? 1 : -1;
      return { a: f.a + s * g.a, b: f.b + s * g.b };
    }
    case '*': {
      const f = affineIn(e.a, z);
      const g = affineIn(e.b, z);
      if (!f || !g) return undefined;
      if (f.a !== 0 && g.a !== 0) return undefined;
      return { a: f.a * g.b + g.a * f.b, b: f.b * g.b };
    }
    case '/': {
      const f = affineIn(e.a, z);
      const c = constant(e.b);
      if (!f || c === undefined || c === 0) return undefined;
      return { a: f.a / c, b: f.b / c };
    }
    default: {
      const c = constant(e);
      return c === undefined ? undefined : { a: 0, b: c };
    }
  }
}
