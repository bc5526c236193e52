import { describe, expect, it } from 'vitest';
import type { DataDecl, Expr, FitDecl, LetDecl, ModelDecl, ModelExpr, QueryDecl, Span } from '../../language/ast.js';
import { expectConsistentSpan, only, parseOk, strip, textOf } from './helpers.js';

const num = (value: number) => ({ kind: 'number', value });
const name = (n: string) => ({ kind: 'name', name: n });
const id = (n: string) => ({ name: n });
const leaf = (n: string, args: unknown[] = [], hasParens = args.length > 0) => ({ kind: 'leaf', name: id(n), args, hasParens });
const flag = (n: string) => ({ name: id(n) });
const arg = (n: string, value: unknown) => ({ name: id(n), value });

function model(text: string): ModelExpr {
  return (only(text) as ModelDecl).body;
}

function expr(text: string): Expr {
  return (only(`let v = ${text}`) as LetDecl).value;
}

describe('statements', () => {
  it('parses let', () => {
    const s = only('let s = 2 * pi');
    expect(strip(s)).toEqual({
      kind: 'let',
      name: id('s'),
      value: { kind: 'binary', op: '*', left: num(2), right: name('pi') },
    });
  });

  it('parses data with every column type and optional commas', () => {
    const src = `data faithful from "faithful.csv" {  // comment
  eruptions: real
  waiting: real,
  n: int
  ok: bool
  species: categorical("Adelie", "Chinstrap", "Gentoo",)
  island: categorical
}`;
    const d = only(src) as DataDecl;
    expect(strip(d)).toEqual({
      kind: 'data',
      name: id('faithful'),
      path: { value: 'faithful.csv' },
      columns: [
        { name: id('eruptions'), type: { kind: 'real' } },
        { name: id('waiting'), type: { kind: 'real' } },
        { name: id('n'), type: { kind: 'int' } },
        { name: id('ok'), type: { kind: 'bool' } },
        {
          name: id('species'),
          type: { kind: 'categorical', levels: [{ value: 'Adelie' }, { value: 'Chinstrap' }, { value: 'Gentoo' }] },
        },
        { name: id('island'), type: { kind: 'categorical' } },
      ],
    });
    expect(textOf(src, d.span)).toBe(src);
    expect(textOf(src, d.path.span)).toBe('"faithful.csv"');
    expect(textOf(src, d.columns[4]!.span)).toBe('species: categorical("Adelie", "Chinstrap", "Gentoo",)');
    expect(d.columns[1]!.name.span).toEqual<Span>({
      startOffset: 68, endOffset: 75, startLine: 3, startColumn: 3, endLine: 3, endColumn: 10,
    });
  });

  it('unescapes strings', () => {
    const d = only('data d from "a \\"b\\" \\\\ c.csv" { }') as DataDecl;
    expect(d.path.value).toBe('a "b" \\ c.csv');
    expect(d.columns).toEqual([]);
  });

  it('parses model with variables and parameter options', () => {
    const src = 'model Std(x) = Normal(mean = 0 fixed, sd = 1 in [0.01, 10])';
    const m = only(src) as ModelDecl;
    expect(strip(m)).toEqual({
      kind: 'model',
      name: id('Std'),
      vars: [id('x')],
      body: leaf('Normal', [
        { name: id('mean'), value: num(0), fixed: true },
        { name: id('sd'), value: num(1), bounds: { lower: num(0.01), upper: num(10) } },
      ]),
    });
    const body = m.body;
    if (body.kind !== 'leaf') throw new Error('leaf expected');
    expect(textOf(src, body.args[0]!.span)).toBe('mean = 0 fixed');
    expect(textOf(src, body.args[0]!.fixed!)).toBe('fixed');
    expect(textOf(src, body.args[1]!.bounds!.span)).toBe('in [0.01, 10]');
    expect(textOf(src, body.args[1]!.span)).toBe('sd = 1 in [0.01, 10]');
    expect(m.span).toEqual<Span>({ startOffset: 0, endOffset: src.length, startLine: 1, startColumn: 1, endLine: 1, endColumn: src.length + 1 });
  });

  it('leaves vars out when none are written', () => {
    const m = only('model G = Normal') as ModelDecl;
    expect('vars' in m).toBe(false);
    expect(only('model G(x, y,) = Normal') as ModelDecl).toMatchObject({ vars: [{ name: 'x' }, { name: 'y' }] });
  });

  it('parses fit with and without weights', () => {
    const f1 = only('fit Geyser on faithful by em(max_iter = 200, tol = 1e-6, restarts = 5, init = kmeans, seed = 1)') as FitDecl;
    expect(strip(f1)).toEqual({
      kind: 'fit',
      model: id('Geyser'),
      data: id('faithful'),
      method: id('em'),
      args: [arg('max_iter', num(200)), arg('tol', num(1e-6)), arg('restarts', num(5)), arg('init', name('kmeans')), arg('seed', num(1))],
    });
    const f2 = only('fit Geyser on faithful weights n by adam(lr = 0.01, epochs = 20, batch = 512)') as FitDecl;
    expect(strip(f2)).toMatchObject({ weights: id('n'), method: id('adam') });
    expect(f2.args.map((a) => a.name.name)).toEqual(['lr', 'epochs', 'batch']);
    expect(strip(only('fit G on d by em'))).toEqual({ kind: 'fit', model: id('G'), data: id('d'), method: id('em'), args: [] });
  });

  it('parses query statements', () => {
    const src = 'query Geyser: logp(eruptions = 3.1, waiting = 70)';
    const q = only(src) as QueryDecl;
    expect(strip(q)).toEqual({
      kind: 'query',
      model: id('Geyser'),
      query: {
        kind: 'density',
        log: true,
        target: [
          { name: id('eruptions'), value: num(3.1) },
          { name: id('waiting'), value: num(70) },
        ],
        given: [],
      },
    });
    expect(textOf(src, q.query.span)).toBe('logp(eruptions = 3.1, waiting = 70)');
    expect(textOf(src, q.span)).toBe(src);
  });

  it('allows semicolons and any layout', () => {
    const p = parseOk('let a = 1; let b = 2;;\n\n  let\nc\n=\n3 /* block\ncomment */ ;model M = Normal');
    expect(p.statements.map((s) => (s as LetDecl | ModelDecl).name.name)).toEqual(['a', 'b', 'c', 'M']);
    expect(parseOk('').statements).toEqual([]);
    expect(parseOk('// only a comment\n/* and another */').statements).toEqual([]);
  });

  it('lexes identifiers that begin with keywords', () => {
    const m = model('model M = Normal(integer = inside, of_x = data1, modeled, fitness)');
    expect(strip(m)).toEqual(
      leaf('Normal', [arg('integer', name('inside')), arg('of_x', name('data1')), flag('modeled'), flag('fitness')]),
    );
  });
});

describe('model expressions', () => {
  it('parses mixture of a leaf with a flag', () => {
    expect(strip(model('model Geyser = mixture(k = 3) of Normal(full)'))).toEqual({
      kind: 'mixtureOf',
      args: [arg('k', num(3))],
      component: leaf('Normal', [flag('full')]),
    });
  });

  it('parses a mixture list with weights', () => {
    const src = 'model Two = mixture(weights = [0.3, 0.7]) { Normal(mean = 0), Normal(mean = 5, sd = 2), }';
    const m = model(src);
    expect(strip(m)).toEqual({
      kind: 'mixtureList',
      args: [arg('weights', { kind: 'array', items: [num(0.3), num(0.7)] })],
      components: [leaf('Normal', [arg('mean', num(0))]), leaf('Normal', [arg('mean', num(5)), arg('sd', num(2))])],
    });
    expect(textOf(src, m.span)).toBe(src.slice('model Two = '.length));
  });

  it('parses nested mixtures', () => {
    expect(strip(model('model Nested = mixture(k = 2) of mixture(k = 3) of Normal(diag)'))).toEqual({
      kind: 'mixtureOf',
      args: [arg('k', num(2))],
      component: { kind: 'mixtureOf', args: [arg('k', num(3))], component: leaf('Normal', [flag('diag')]) },
    });
  });

  it('parses a product with tuple and single scopes', () => {
    const src = 'model Mixed = mixture(k = 3) of product { (bill, depth): Normal(full), species: Categorical }';
    const m = model(src);
    expect(strip(m)).toEqual({
      kind: 'mixtureOf',
      args: [arg('k', num(3))],
      component: {
        kind: 'product',
        parts: [
          { scope: [id('bill'), id('depth')], model: leaf('Normal', [flag('full')]) },
          { scope: [id('species')], model: leaf('Categorical') },
        ],
      },
    });
    if (m.kind !== 'mixtureOf' || m.component.kind !== 'product') throw new Error('shape');
    expect(textOf(src, m.component.parts[0]!.span)).toBe('(bill, depth): Normal(full)');
    expect(textOf(src, m.component.span)).toBe('product { (bill, depth): Normal(full), species: Categorical }');
  });

  it('treats a model reference as a leaf and records parentheses', () => {
    expect(strip(model('model Ref = mixture(k = 4) of Geyser'))).toEqual({
      kind: 'mixtureOf',
      args: [arg('k', num(4))],
      component: leaf('Geyser', [], false),
    });
    expect(strip(model('model E = Normal()'))).toEqual(leaf('Normal', [], true));
    expect(strip(model('model F = mixture of Normal'))).toEqual({ kind: 'mixtureOf', args: [], component: leaf('Normal') });
    expect(strip(model('model H = mixture() { A, B }'))).toEqual({ kind: 'mixtureList', args: [], components: [leaf('A'), leaf('B')] });
  });

  it('gives the ident its own span', () => {
    const src = 'model Geyser = mixture(k = 3) of Normal(full)';
    const m = only(src) as ModelDecl;
    expect(m.name.span).toEqual<Span>({ startOffset: 6, endOffset: 12, startLine: 1, startColumn: 7, endLine: 1, endColumn: 13 });
    if (m.body.kind !== 'mixtureOf') throw new Error('shape');
    expect(textOf(src, m.body.component.span)).toBe('Normal(full)');
    expect(textOf(src, m.body.args[0]!.span)).toBe('k = 3');
  });
});

describe('expressions', () => {
  it('numbers in every notation', () => {
    for (const [text, value] of [['3', 3], ['3.1', 3.1], ['1e-6', 1e-6], ['.5', 0.5], ['2E+3', 2000], ['3.', 3]] as const) {
      expect(strip(expr(text))).toEqual(num(value));
    }
  });

  it('respects precedence and associativity', () => {
    expect(strip(expr('1 + 2 * 3 - 4'))).toEqual({
      kind: 'binary',
      op: '-',
      left: { kind: 'binary', op: '+', left: num(1), right: { kind: 'binary', op: '*', left: num(2), right: num(3) } },
      right: num(4),
    });
    expect(strip(expr('8 / 4 / 2'))).toEqual({
      kind: 'binary', op: '/', left: { kind: 'binary', op: '/', left: num(8), right: num(4) }, right: num(2),
    });
    expect(strip(expr('2 ^ 3 ^ 2'))).toEqual({
      kind: 'binary', op: '^', left: num(2), right: { kind: 'binary', op: '^', left: num(3), right: num(2) },
    });
    expect(strip(expr('-2 ^ 2'))).toEqual({ kind: 'unary', op: '-', operand: { kind: 'binary', op: '^', left: num(2), right: num(2) } });
    expect(strip(expr('2 ^ -1'))).toEqual({ kind: 'binary', op: '^', left: num(2), right: { kind: 'unary', op: '-', operand: num(1) } });
    expect(strip(expr('- + 3'))).toEqual({ kind: 'unary', op: '-', operand: { kind: 'unary', op: '+', operand: num(3) } });
    expect(strip(expr('(1 + 2) * 3'))).toEqual({
      kind: 'binary', op: '*', left: { kind: 'binary', op: '+', left: num(1), right: num(2) }, right: num(3),
    });
  });

  it('calls, strings, names and nested arrays', () => {
    expect(strip(expr('max(sqrt(2), e, "a")'))).toEqual({
      kind: 'call',
      callee: id('max'),
      args: [{ kind: 'call', callee: id('sqrt'), args: [num(2)] }, name('e'), { kind: 'string', value: 'a' }],
    });
    expect(strip(expr('[[1, 0], [0, 1],]'))).toEqual({
      kind: 'array',
      items: [{ kind: 'array', items: [num(1), num(0)] }, { kind: 'array', items: [num(0), num(1)] }],
    });
    expect(strip(expr('[]'))).toEqual({ kind: 'array', items: [] });
  });

  it('spans cover parentheses and operands', () => {
    const src = 'let v = (1 + 2) * -x';
    const v = (only(src) as LetDecl).value;
    expect(textOf(src, v.span)).toBe('(1 + 2) * -x');
    if (v.kind !== 'binary') throw new Error('shape');
    expect(textOf(src, v.left.span)).toBe('(1 + 2)');
    expect(textOf(src, v.right.span)).toBe('-x');
    expect(v.span).toEqual<Span>({ startOffset: 8, endOffset: 20, startLine: 1, startColumn: 9, endLine: 1, endColumn: 21 });
  });
});

describe('spans', () => {
  it('are consistent across lines, including CRLF', () => {
    const src = 'let a = 1\r\nmodel M(x) =\r\n  mixture(k = 2)\r\n  of Normal(full)\nquery M: p(x | a = 1)';
    const p = parseOk(src);
    const m = p.statements[1] as ModelDecl;
    expect(textOf(src, m.span)).toBe('model M(x) =\r\n  mixture(k = 2)\r\n  of Normal(full)');
    expect(m.span).toMatchObject({ startLine: 2, startColumn: 1, endLine: 4, endColumn: 18 });
    const visit = (value: unknown): void => {
      if (Array.isArray(value)) value.forEach(visit);
      else if (value && typeof value === 'object') {
        for (const [k, v] of Object.entries(value)) {
          if (k === 'span' || k === 'fixed') expectConsistentSpan(src, v as Span);
          else visit(v);
        }
      }
    };
    visit(p);
  });
});
