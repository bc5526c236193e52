// The math functions model text may call in expressions: constant expressions (compiler/
// constants.ts) and closed-form functions of latent variables (circuits/integral). One table,
// so both accept the same names.
export const MATH_FUNCTIONS: Readonly<Record<string, { readonly arity: readonly [number, number]; readonly f: (...a: number[]) => number }>> = {
  sqrt: { arity: [1, 1], f: Math.sqrt },
  exp: { arity: [1, 1], f: Math.exp },
  log: { arity: [1, 1], f: Math.log },
  log10: { arity: [1, 1], f: Math.log10 },
  abs: { arity: [1, 1], f: Math.abs },
  sin: { arity: [1, 1], f: Math.sin },
  cos: { arity: [1, 1], f: Math.cos },
  tan: { arity: [1, 1], f: Math.tan },
  tanh: { arity: [1, 1], f: Math.tanh },
  floor: { arity: [1, 1], f: Math.floor },
  ceil: { arity: [1, 1], f: Math.ceil },
  round: { arity: [1, 1], f: Math.round },
  pow: { arity: [2, 2], f: Math.pow },
  min: { arity: [1, 64], f: Math.min },
  max: { arity: [1, 64], f: Math.max },
};

/** The function of that name, or undefined (own names only: never `constructor` or `__proto__`). */
export function mathFunction(name: string): (typeof MATH_FUNCTIONS)[string] | undefined {
  return Object.hasOwn(MATH_FUNCTIONS, name) ? MATH_FUNCTIONS[name] : undefined;
}
