// Reads one argument of a leaf layer of `units` units: first as the family reads it (one value
// for every unit, e.g. a mean vector over the variables), and when that does not fit and the
// value's leading axis has one entry per unit, as per-unit values (`Bernoulli(units = 2,
// p = [0, 1])`: unit 1 has p = 0, unit 2 p = 1). Per-unit values come back concatenated in
// unit order, the layout of the parameter's leading units axis.
import type { ArgValue, LayerContext, LeafFamily } from '../stdlib/distributions/index.js';

export interface LeafArg {
  readonly values: Record<string, number[]>;
  /** The values hold every unit's (size = units x per-unit size), not one unit's to repeat. */
  readonly perUnit: boolean;
  readonly errors: readonly string[];
  /** How to give the argument per unit, when the layer has several units and the value did not fit. */
  readonly hint?: string;
}

export function readLeafArg(fam: LeafFamily, name: string, value: ArgValue, ctx: LayerContext): LeafArg {
  const whole = fam.fromArgs({ [name]: value }, ctx);
  if (whole.errors.length === 0) return { values: whole.values, perUnit: false, errors: [] };
  const errors = whole.errors.map((e) => e.message);
  if (ctx.units <= 1 || !Array.isArray(value)) return { values: {}, perUnit: false, errors };
  const hint = `to give each of the ${ctx.units} units its own ${name}, write a list of ${ctx.units} entries, one per unit${ctx.dims > 1 ? ` (each a value over the ${ctx.dims} variables)` : ''}`;
  // Over several variables a number would be broadcast to all of them: a per-unit entry must be
  // written in full, so that a per-variable list of the wrong length is not read per unit.
  if (value.length !== ctx.units || (ctx.dims > 1 && value.some((v) => !Array.isArray(v)))) return { values: {}, perUnit: false, errors, hint };
  const values: Record<string, number[]> = {};
  for (let u = 0; u < value.length; u++) {
    const r = fam.fromArgs({ [name]: value[u]! }, ctx);
    // The first unit that is wrong is enough to name (the same leaf may be lowered once per region).
    if (r.errors.length) return { values: {}, perUnit: false, errors: [`unit ${u + 1} of ${ctx.units}: ${r.errors[0]!.message}`] };
    for (const [role, vs] of Object.entries(r.values)) (values[role] ??= []).push(...vs);
  }
  return { values, perUnit: true, errors: [] };
}
