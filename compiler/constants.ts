// Evaluates constant expressions of the model text (numbers, arithmetic, math functions,
// arrays, `let` names). A tree walk over the AST: model files never run code.
import type { Expr, Span } from '../language/index.js';
import type { Diagnostic } from '../language/index.js';
import { suggestionHint } from '../language/index.js';
import { MATH_FUNCTIONS, mathFunction } from '../stdlib/math-functions.js';
import { own } from '../stdlib/own.js';

export type Value = number | string | boolean | Value[];

const CONSTANTS: Record<string, number> = { pi: Math.PI, e: Math.E, inf: Infinity };
const FUNCTIONS = MATH_FUNCTIONS;

export class ConstantScope {
  private readonly values = new Map<string, Value>();
  constructor(private readonly file: string) {}

  define(name: string, v: Value): void {
    this.values.set(name, v);
  }

  has(name: string): boolean {
    return this.values.has(name) || Object.hasOwn(CONSTANTS, name);
  }

  /** Evaluates e; on failure pushes a diagnostic and returns undefined. */
  evaluate(e: Expr, diags: Diagnostic[]): Value | undefined {
    const err = (span: Span, message: string, hint?: string): undefined => {
      diags.push({ severity: 'error', code: 'bad-expression', message, span, file: this.file, hint });
      return undefined;
    };
    switch (e.kind) {
      case 'number':
        return e.value;
      case 'string':
        return e.value;
      case 'name': {
        if (e.name === 'true') return true;
        if (e.name === 'false') return false;
        const v = this.values.get(e.name) ?? own(CONSTANTS, e.name);
        if (v === undefined) {
          return err(e.span, `unknown name '${e.name}' in an expression`, suggestionHint(e.name, [...this.values.keys(), ...Object.keys(CONSTANTS)]));
        }
        return v;
      }
      case 'array': {
        const items: Value[] = [];
        for (const it of e.items) {
          const v = this.evaluate(it, diags);
          if (v === undefined) return undefined;
          items.push(v);
        }
        return items;
      }
      case 'unary': {
        const v = this.evaluate(e.operand, diags);
        if (v === undefined) return undefined;
        if (typeof v !== 'number') return err(e.span, `'${e.op}' needs a number`);
        return e.op === '-' ? -v : v;
      }
      case 'binary': {
        const a = this.evaluate(e.left, diags);
        const b = this.evaluate(e.right, diags);
        if (a === undefined || b === undefined) return undefined;
        if (typeof a !== 'number' || typeof b !== 'number') return err(e.span, `'${e.op}' needs numbers on both sides`);
        switch (e.op) {
          case '+':
            return a + b;
          case '-':
            return a - b;
          case '*':
            return a * b;
          case '/':
            if (b === 0) return err(e.span, 'division by zero');
            return a / b;
          case '^':
            return Math.pow(a, b);
        }
        return undefined;
      }
      case 'call': {
        const fn = mathFunction(e.callee.name);
        if (!fn) return err(e.callee.span, `unknown function '${e.callee.name}'`, suggestionHint(e.callee.name, Object.keys(FUNCTIONS)));
        const named = e.named?.[0];
        if (named) return err(named.span, `${e.callee.name} takes no named arguments`, `write ${e.callee.name}(${fn.arity[0] === 2 ? 'a, b' : 'x'}) with positional arguments`);
        if (e.args.length < fn.arity[0] || e.args.length > fn.arity[1]) {
          return err(e.span, `${e.callee.name} takes ${fn.arity[0] === fn.arity[1] ? fn.arity[0] : `${fn.arity[0]} or more`} argument(s), got ${e.args.length}`);
        }
        const args: number[] = [];
        for (const a of e.args) {
          const v = this.evaluate(a, diags);
          if (v === undefined) return undefined;
          if (typeof v !== 'number') return err(a.span, `${e.callee.name} needs numbers`);
          args.push(v);
        }
        const r = fn.f(...args);
        if (Number.isNaN(r)) return err(e.span, `${e.callee.name}(${args.join(', ')}) is not a number`);
        return r;
      }
    }
  }
}

/** A number, a vector or a matrix of numbers, or undefined when v is something else. */
export function asNumeric(v: Value): number | number[] | number[][] | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (!Array.isArray(v)) return undefined;
  if (v.every((x) => typeof x === 'number')) return v as number[];
  if (v.every((x) => Array.isArray(x) && x.every((y) => typeof y === 'number'))) return v as number[][];
  return undefined;
}
