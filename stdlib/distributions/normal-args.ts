// User arguments of Normal: mean (number or vector), and one of sd, var (number or vector)
// or cov (matrix), turned into the roles of the layer's variant.
import type { ArgError, ArgValue } from './types.js';
import { isSpd } from './linalg.js';

type Spread = { kind: 'diag'; v: number[]; arg: string } | { kind: 'matrix'; m: number[]; arg: string };

/** A number broadcast to D entries, or a vector of length D. */
function vectorArg(name: string, v: ArgValue, D: number, errors: ArgError[]): number[] | undefined {
  if (typeof v === 'number') v = new Array<number>(D).fill(v);
  if (!Array.isArray(v) || v.some((e) => typeof e !== 'number')) {
    errors.push({ arg: name, message: `${name} must be a number or a vector of ${D} numbers` });
    return undefined;
  }
  const vec = v as number[];
  if (vec.length !== D) {
    errors.push({ arg: name, message: `${name} must have ${D} entries (one per variable), got ${vec.length}` });
    return undefined;
  }
  if (vec.some((e) => !Number.isFinite(e))) {
    errors.push({ arg: name, message: `${name} must be finite` });
    return undefined;
  }
  return vec;
}

function readSpread(args: Readonly<Record<string, ArgValue>>, D: number, errors: ArgError[]): Spread | undefined {
  const given = ['sd', 'var', 'cov'].filter((a) => args[a] !== undefined);
  if (given.length > 1) {
    errors.push({ arg: given[1]!, message: `give only one of sd, var and cov (got ${given.join(' and ')})` });
    return undefined;
  }
  const arg = given[0];
  if (arg === undefined) return undefined;
  const v = args[arg]!;
  if (arg === 'cov' && !(typeof v === 'number' && D === 1)) {
    const rows = Array.isArray(v) && v.every((r): r is number[] => Array.isArray(r)) ? v : undefined;
    if (rows === undefined || rows.length !== D || rows.some((r) => r.length !== D)) {
      errors.push({ arg, message: `cov must be a ${D} x ${D} matrix` });
      return undefined;
    }
    const m = rows.flat();
    if (!isSpd(m, D)) {
      errors.push({ arg, message: 'cov must be symmetric positive definite' });
      return undefined;
    }
    return { kind: 'matrix', m, arg };
  }
  const vec = vectorArg(arg, v, D, errors);
  if (vec === undefined) return undefined;
  if (vec.some((e) => !(e > 0))) {
    errors.push({ arg, message: `${arg} must be > 0` });
    return undefined;
  }
  return { kind: 'diag', v: arg === 'sd' ? vec.map((s) => s * s) : vec, arg };
}

export function normalFromArgs(args: Readonly<Record<string, ArgValue>>, D: number, variant: string): { values: Record<string, number[]>; errors: ArgError[] } {
  const values: Record<string, number[]> = {};
  const errors: ArgError[] = [];
  if (args['mean'] !== undefined) {
    const m = vectorArg('mean', args['mean'], D, errors);
    if (m) values['mean'] = m;
  }
  const s = readSpread(args, D, errors);
  if (s === undefined) return { values, errors };
  if (variant === 'full' || variant === 'tied') {
    if (s.kind === 'matrix') values['cov'] = s.m;
    else values['cov'] = Array.from({ length: D * D }, (_, e) => (e % (D + 1) === 0 ? s.v[e / (D + 1)]! : 0));
    return { values, errors };
  }
  let diag: number[];
  if (s.kind === 'matrix') {
    // A diagonal cov is accepted by the diag/spherical variants; off-diagonal terms are not.
    if (s.m.some((x, e) => e % (D + 1) !== 0 && x !== 0)) {
      errors.push({ arg: s.arg, message: `the ${variant} variant has no covariances: cov must be diagonal (or give var or sd)` });
      return { values, errors };
    }
    diag = Array.from({ length: D }, (_, d) => s.m[d * (D + 1)]!);
  } else diag = s.v;
  if (variant === 'spherical') {
    if (diag.some((x) => Math.abs(x - diag[0]!) > 1e-12 * diag[0]!)) {
      errors.push({ arg: s.arg, message: `a spherical Normal has one variance: give ${s.arg} as a single number` });
      return { values, errors };
    }
    values['var'] = [diag[0]!];
  } else values['var'] = diag;
  return { values, errors };
}
