import { describe, expect, it } from 'vitest';
import type { Expr, LetDecl, ModelDecl, ModelExpr } from '../../language/ast.js';
import { parseProgram } from '../../language/parse.js';
import { RESERVED_WORDS } from '../../language/tokens.js';
import { compile } from '../../compiler/compile.js';
import { lowerModel } from '../../compiler/lower.js';
import { namedVars } from '../../compiler/model-vars.js';
import { expectConsistentSpan, only, strip, textOf } from './helpers.js';

const num = (value: number) => ({ kind: 'number', value });
const neg = (value: number) => ({ kind: 'unary', op: '-', operand: num(value) });
const id = (n: string) => ({ name: n });
const arg = (n: string, value: unknown) => ({ name: id(n), value });
const named = (n: string, value: unknown) => ({ name: id(n), value });
const call = (callee: string, args: unknown[], namedArgs?: unknown[]) => ({ kind: 'call', callee: id(callee), args, ...(namedArgs ? { named: namedArgs } : {}) });

type Integral = Extract<ModelExpr, { kind: 'integral' }>;

function body(text: string): ModelExpr {
  return (only(text) as ModelDecl).body;
}

function integral(text: string): Integral {
  const b = body(text);
  expect(b.kind).toBe('integral');
  return b as Integral;
}

function expr(text: string): Expr {
  return (only(`let v = ${text}`) as LetDecl).value;
}

/** Every span in a value: each agrees with the text; returns how many there were. */
function checkSpans(source: string, value: unknown): number {
  let n = 0;
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) return v.forEach(walk);
    if (!v || typeof v !== 'object') return;
    for (const [k, x] of Object.entries(v)) {
      if (k === 'span') {
        expectConsistentSpan(source, x as never);
        n++;
      } else walk(x);
    }
  };
  walk(value);
  return n;
}

/** The one diagnostic of a bad text: [message, line, column, the text it underlines]. */
function error(text: string): [string, number, number, string] {
  const { program, diagnostics } = parseProgram(text, 'f.pmix');
  expect(diagnostics, text).toHaveLength(1);
  expect(program.statements).toHaveLength(0);
  const d = diagnostics[0]!;
  expectConsistentSpan(text, d.span!);
  return [d.message, d.span!.startLine, d.span!.startColumn, textOf(text, d.span!)];
}

const EXAMPLES = {
  wave: 'model Wave = integral z: real in [-1, 1] of Normal(mean = tanh(2 * z), sd = 0.2)',
  wave2:
    'model Wave2 = integral z: real in [-1, 1] by gauss_legendre(points = 64) of Normal(mean = mlp(hidden = 32, layers = 2), sd = mlp(hidden = 16))',
  fa: 'model FA = integral z: normal by gauss_hermite(points = 32) of Normal(mean = 2 * z + 1, sd = 0.5)',
  p: 'model P = integral z: normal of product { x: Normal(mean = mlp(hidden = 8), sd = 0.3), y: Bernoulli(p = mlp(hidden = 8)) }',
  m: 'model M = mixture(k = 2) of integral z: real in [0, 1] of Normal(mean = z, sd = 1)',
};

describe('named arguments in calls', () => {
  it('parses named arguments after positional ones', () => {
    expect(strip(expr('mlp(hidden = 64, layers = 2)'))).toEqual(call('mlp', [], [named('hidden', num(64)), named('layers', num(2))]));
    expect(strip(expr('f(1, 2, scale = 3)'))).toEqual(call('f', [num(1), num(2)], [named('scale', num(3))]));
    expect(strip(expr('f(1, scale = 3,)'))).toEqual(call('f', [num(1)], [named('scale', num(3))]));
  });

  it('leaves calls without named arguments as they were', () => {
    expect(strip(expr('max(1, [2, 3])'))).toEqual(call('max', [num(1), { kind: 'array', items: [num(2), num(3)] }]));
    expect(strip(expr('f()'))).toEqual(call('f', []));
    expect('named' in expr('sqrt(2)')).toBe(false);
    // A name inside an argument is still an expression, not a named argument.
    expect(strip(expr('f(x + 1, y)'))).toEqual(call('f', [{ kind: 'binary', op: '+', left: { kind: 'name', name: 'x' }, right: num(1) }, { kind: 'name', name: 'y' }]));
  });

  it('nests and gives each named argument its span', () => {
    const src = 'let v = f(a = g(b = 1) + 2, c = [1, 2])';
    const e = (only(src) as LetDecl).value as Extract<Expr, { kind: 'call' }>;
    expect(e.named!.map((n) => textOf(src, n.span))).toEqual(['a = g(b = 1) + 2', 'c = [1, 2]']);
    expect(e.named!.map((n) => textOf(src, n.name.span))).toEqual(['a', 'c']);
    expect(textOf(src, e.span)).toBe('f(a = g(b = 1) + 2, c = [1, 2])');
    expect(strip(e.named![0]!.value)).toEqual({ kind: 'binary', op: '+', left: call('g', [], [named('b', num(1))]), right: num(2) });
    checkSpans(src, e);
  });

  it('rejects a positional argument after a named one', () => {
    const src = 'let a = f(scale = 3, 2)';
    const { diagnostics } = parseProgram(src, 'f.pmix');
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({
      severity: 'error',
      code: 'syntax',
      message: "a positional argument cannot follow a named one in the call of 'f'",
      hint: 'write the positional arguments first, then the named ones (name = value)',
      file: 'f.pmix',
    });
    expect(textOf(src, diagnostics[0]!.span!)).toBe('2');
  });

  it('reports a missing value after the name', () => {
    expect(error('let a = f(x = )')).toEqual(["expected an expression but found ')'", 1, 15, ')']);
  });

  it('is refused by the math functions of the compiler, on the named argument', () => {
    const src = 'let a = sqrt(x = 2)\n';
    const { program, diagnostics } = compile(src, 'f.pmix');
    expect(program).toBeUndefined();
    expect(diagnostics.map((d) => d.message)).toEqual(['sqrt takes no named arguments']);
    expect(textOf(src, diagnostics[0]!.span!)).toBe('x = 2');
  });
});

describe('integral models', () => {
  it('parses a uniform domain without a rule', () => {
    const e = integral(EXAMPLES.wave);
    expect(strip(e)).toEqual({
      kind: 'integral',
      latent: id('z'),
      domain: { kind: 'interval', lower: neg(1), upper: num(1) },
      body: {
        kind: 'leaf',
        name: id('Normal'),
        args: [arg('mean', call('tanh', [{ kind: 'binary', op: '*', left: num(2), right: { kind: 'name', name: 'z' } }])), arg('sd', num(0.2))],
        hasParens: true,
      },
    });
    expect(e.rule).toBeUndefined();
  });

  it('parses a rule with arguments and named arguments in the body', () => {
    const e = integral(EXAMPLES.wave2);
    expect(e.latent.name).toBe('z');
    expect(strip(e.domain)).toEqual({ kind: 'interval', lower: neg(1), upper: num(1) });
    expect(strip(e.rule)).toEqual({ name: id('gauss_legendre'), args: [arg('points', num(64))] });
    expect(strip(e.body)).toEqual({
      kind: 'leaf',
      name: id('Normal'),
      args: [
        arg('mean', call('mlp', [], [named('hidden', num(32)), named('layers', num(2))])),
        arg('sd', call('mlp', [], [named('hidden', num(16))])),
      ],
      hasParens: true,
    });
  });

  it('parses a named domain', () => {
    const e = integral(EXAMPLES.fa);
    expect(strip(e.domain)).toEqual({ kind: 'named', name: id('normal') });
    expect(strip(e.rule)).toEqual({ name: id('gauss_hermite'), args: [arg('points', num(32))] });
    expect(e.body.kind).toBe('leaf');
  });

  it('takes any model as its body', () => {
    const e = integral(EXAMPLES.p);
    expect(strip(e.domain)).toEqual({ kind: 'named', name: id('normal') });
    expect(e.rule).toBeUndefined();
    expect(e.body.kind).toBe('product');
    const parts = (e.body as Extract<ModelExpr, { kind: 'product' }>).parts;
    expect(parts.map((p) => p.scope.map((s) => s.name))).toEqual([['x'], ['y']]);
    expect(strip(parts[1]!.model)).toEqual({ kind: 'leaf', name: id('Bernoulli'), args: [arg('p', call('mlp', [], [named('hidden', num(8))]))], hasParens: true });
  });

  it('is a component of a mixture', () => {
    const m = body(EXAMPLES.m);
    expect(m.kind).toBe('mixtureOf');
    const c = (m as Extract<ModelExpr, { kind: 'mixtureOf' }>).component as Integral;
    expect(c.kind).toBe('integral');
    expect(strip(c.domain)).toEqual({ kind: 'interval', lower: num(0), upper: num(1) });
    expect(c.body.kind).toBe('leaf');
  });

  it('takes a rule without arguments and nests', () => {
    const e = integral('model N = integral u: real in [0, 1] by midpoint of integral v: normal of Normal(mean = u + v, sd = 1)');
    expect(strip(e.rule)).toEqual({ name: id('midpoint'), args: [] });
    expect(e.body.kind).toBe('integral');
    expect((e.body as Integral).latent.name).toBe('v');
  });

  it('gives the node, the domain and the rule their spans', () => {
    const src = EXAMPLES.wave2;
    const e = integral(src);
    expect(textOf(src, e.span)).toBe(src.slice(src.indexOf('integral')));
    expect(textOf(src, e.latent.span)).toBe('z');
    expect(e.domain.kind).toBe('interval');
    if (e.domain.kind === 'interval') expect(textOf(src, e.domain.span)).toBe('real in [-1, 1]');
    expect(textOf(src, e.rule!.span)).toBe('gauss_legendre(points = 64)');
    expect(textOf(src, e.rule!.name.span)).toBe('gauss_legendre');
    expect(textOf(src, e.body.span)).toBe('Normal(mean = mlp(hidden = 32, layers = 2), sd = mlp(hidden = 16))');
    const fa = integral(EXAMPLES.fa);
    if (fa.domain.kind === 'named') expect(textOf(EXAMPLES.fa, fa.domain.name.span)).toBe('normal');
    expect(textOf(EXAMPLES.fa, fa.rule!.span)).toBe('gauss_hermite(points = 32)');
    const bare = integral('model N = integral u: normal by midpoint of Normal');
    expect(textOf('model N = integral u: normal by midpoint of Normal', bare.rule!.span)).toBe('midpoint');
    for (const text of Object.values(EXAMPLES)) expect(checkSpans(text, only(text))).toBeGreaterThan(5);
  });

  it('round-trips through the text its spans cover', () => {
    // Re-parsing the text under the body span gives the same tree (there is no pretty-printer:
    // the source slice is the rendering).
    for (const text of Object.values(EXAMPLES)) {
      const b = body(text);
      const again = body(`model X = ${textOf(text, b.span)}`);
      expect(strip(again)).toEqual(strip(b));
    }
  });

  it('spreads over lines and takes comments', () => {
    const src = `model W = integral z: real in [-1, 1]  // the latent
  by gauss_legendre(points = 8)
  of Normal(mean = z, sd = 1)`;
    const e = integral(src);
    expect(e.span.endLine).toBe(3);
    expect(strip(e.rule)).toEqual({ name: id('gauss_legendre'), args: [arg('points', num(8))] });
  });
});

describe('integral is a reserved word', () => {
  it('is listed and cannot name a model', () => {
    expect(RESERVED_WORDS).toContain('integral');
    const { diagnostics } = parseProgram('model integral = Normal', 'f.pmix');
    expect(diagnostics.map((d) => [d.message, d.hint])).toEqual([["expected a name but found 'integral'", "'integral' is a reserved word and cannot be used as a name"]]);
  });

  it('leaves names that only start with it (or with int, in) alone', () => {
    const p = parseProgram('let integral_x = 1\nlet integrals = integral_x + 1\nmodel integralModel = Normal(mean = integral_x)', 'f.pmix');
    expect(p.diagnostics).toEqual([]);
    expect(p.program.statements.map((s) => ('name' in s ? s.name.name : ''))).toEqual(['integral_x', 'integrals', 'integralModel']);
  });
});

describe('bad integral models: one diagnostic with its place', () => {
  const cases: [string, string, [string, number, number, string]][] = [
    ['a missing colon', 'model A = integral z real in [0,1] of Normal', ["expected ':' but found 'real'", 1, 22, 'real']],
    ["a missing 'of'", 'model A = integral z: real in [0, 1] Normal', ["expected 'of' but found 'Normal'", 1, 38, 'Normal']],
    ['a missing latent', 'model A = integral : real in [0, 1] of Normal', ["expected a name but found ':'", 1, 20, ':']],
    ['one bound', 'model A = integral z: real in [1] of Normal', ["expected ',' but found ']'", 1, 33, ']']],
    ["a missing 'in'", 'model A = integral z: real [0, 1] of Normal', ["expected 'in' but found '['", 1, 28, '[']],
    [
      'a bad domain',
      'model A = integral z: 3 of Normal',
      ["expected a domain ('real in [a, b]' or a name such as 'normal') but found '3'", 1, 23, '3'],
    ],
    ['a missing rule name', 'model A = integral z: normal by of Normal', ["expected a name but found 'of'", 1, 33, 'of']],
    ['a missing body', 'model A = integral z: normal of', ["expected a model (a distribution, 'mixture' or 'product') but found end of input", 1, 32, '']],
    ['a missing bound', 'model A = integral z: real in [0, ] of Normal', ["expected an expression but found ']'", 1, 35, ']']],
  ];
  for (const [what, text, expected] of cases) {
    it(what, () => expect(error(text)).toEqual(expected));
  }

  it("lists 'by' and 'of' after the domain", () => {
    const { diagnostics } = parseProgram('model A = integral z: real in [0, 1] Normal', 'f.pmix');
    expect(diagnostics[0]!.expected).toEqual(["'of'", "'by'"]);
  });

  it('keeps the statements around a bad one', () => {
    const src = ['model A = Normal', 'model B = integral z real in [0, 1] of Normal', EXAMPLES.fa].join('\n');
    const { program, diagnostics } = parseProgram(src, 'f.pmix');
    expect(diagnostics.map((d) => d.span!.startLine)).toEqual([2]);
    expect(program.statements.map((s) => ('name' in s ? s.name.name : ''))).toEqual(['A', 'FA']);
  });
});

describe('integral models in the compiler', () => {
  it('name the variables of their body', () => {
    const { program, diagnostics } = compile(`${EXAMPLES.p}\n`, 'f.pmix');
    expect(diagnostics).toEqual([]);
    expect(namedVars(program!.models.get('P')!.decl.body, program!.models)).toEqual(['x', 'y']);
  });

  it('lower to a graph or to diagnostics on their text, never a throw', () => {
    const src = `${EXAMPLES.wave}\n`;
    const { program } = compile(src, 'f.pmix');
    const { graph, diagnostics } = lowerModel(program!, 'Wave', [{ name: 'x', type: { kind: 'real' } }]);
    if (!graph) {
      expect(diagnostics.length).toBeGreaterThan(0);
      for (const d of diagnostics) expectConsistentSpan(src, d.span!);
    }
  });
});
