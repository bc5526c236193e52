import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../language/diagnostics.js';
import { parseProgram, parseQuery } from '../../language/parse.js';
import { renderDiagnostic, renderDiagnostics } from '../../language/render.js';
import type { QueryDecl } from '../../language/ast.js';
import { bindQuery } from '../../compiler/bind-query.js';

/** Parses `source` as faithful.pmix, expecting one diagnostic, and renders it. */
function render(source: string): string {
  const { diagnostics } = parseProgram(source, 'faithful.pmix');
  expect(diagnostics).toHaveLength(1);
  return renderDiagnostics(diagnostics, new Map([['faithful.pmix', source]]));
}

const lines = (...ls: string[]): string => ls.join('\n');

describe('golden renderings of syntax errors', () => {
  it("missing ')'", () => {
    expect(render('data faithful from "f.csv" { x: real }\n\nmodel Geyser = mixture(k = 3 of Normal(full)\n')).toBe(
      lines(
        "faithful.pmix:3:30: error: expected ')' but found 'of'",
        '  model Geyser = mixture(k = 3 of Normal(full)',
        '                               ^^',
        "  expected: ')' or ','",
      ),
    );
  });

  it('stray token', () => {
    expect(render('model A = Normal(full))')).toBe(
      lines(
        "faithful.pmix:1:23: error: expected the end of the statement but found ')'",
        '  model A = Normal(full))',
        '                        ^',
        "  expected: ';' or a new statement",
      ),
    );
  });

  it('bad number', () => {
    expect(render('let tol = 1.2.3')).toBe(
      lines(
        "faithful.pmix:1:11: error: malformed number '1.2.3'",
        '  let tol = 1.2.3',
        '            ^^^^^',
        '  hint: numbers look like 3, 3.1, .5 or 1e-6',
      ),
    );
  });

  it('unterminated string', () => {
    expect(render('data d from "faithful.csv {\n  x: real\n}')).toBe(
      lines(
        'faithful.pmix:1:13: error: unterminated string',
        '  data d from "faithful.csv {',
        '              ^^^^^^^^^^^^^^^',
        `  hint: add the closing '"' on the same line`,
      ),
    );
  });

  it('unknown query form with did-you-mean (now from the binder, which knows the forms the model answers)', () => {
    const source = 'query Geyser: lopg(eruptions = 3.1)';
    const { program, diagnostics } = parseProgram(source, 'faithful.pmix');
    expect(diagnostics).toEqual([]);
    const decl = program.statements[0] as QueryDecl;
    const forms = ['logp', 'p', 'posterior', 'sample', 'mode', 'mean'];
    const bound = bindQuery(decl.query, { vars: [{ name: 'eruptions', type: { kind: 'real' } }], file: 'faithful.pmix', forms, what: 'a mixture model' });
    expect(renderDiagnostics(bound.diagnostics, new Map([['faithful.pmix', source]]))).toBe(
      lines(
        "faithful.pmix:1:15: error: unknown query 'lopg'",
        '  query Geyser: lopg(eruptions = 3.1)',
        '                ^^^^',
        "  expected: 'logp', 'p', 'posterior', 'sample', 'mode' or 'mean'",
        "  hint: did you mean 'logp'?",
      ),
    );
  });

  it("missing '=' in let", () => {
    expect(render('let s 2 * pi')).toBe(
      lines(
        "faithful.pmix:1:7: error: expected '=' but found '2'",
        '  let s 2 * pi',
        '        ^',
      ),
    );
  });

  it('misspelt keyword', () => {
    expect(render('fit Geyser on faithful bye em')).toBe(
      lines(
        "faithful.pmix:1:24: error: expected the end of the statement but found 'bye'",
        '  fit Geyser on faithful bye em',
        '                         ^^^',
        "  expected: 'weights', 'by', ';' or a new statement",
        "  hint: did you mean 'by'?",
      ),
    );
  });

  it('statement cut short, with tabs before the caret', () => {
    expect(render('\tlet s =\nmodel M = Normal')).toBe(
      lines(
        'faithful.pmix:1:9: error: expected an expression but found the end of the statement',
        '  \tlet s =',
        '  \t       ^',
        "  expected: a number, a string, a name, '(' or '['",
      ),
    );
  });

  it('unterminated block comment', () => {
    expect(render('let a = 1 /* note\n more')).toBe(
      lines(
        'faithful.pmix:1:11: error: unterminated block comment',
        '  let a = 1 /* note',
        '            ^^',
        "  hint: close it with '*/'",
      ),
    );
  });

  it('a query given on the command line', () => {
    const text = 'p(x, y = 2)';
    const { diagnostics } = parseQuery(text);
    expect(renderDiagnostics(diagnostics, new Map([['<query>', text]]))).toBe(
      lines(
        "<query>:1:6: error: p(...) mixes variables and assignments before '|'",
        '  p(x, y = 2)',
        '       ^^^^^',
        '  hint: write p(x | y = 1) for the distribution of x given y = 1, or p(x = 0, y = 1) for a density',
      ),
    );
  });
});

describe('renderDiagnostic', () => {
  const span = { startOffset: 4, endOffset: 9, startLine: 1, startColumn: 5, endLine: 2, endColumn: 3 };

  it('renders without a span or source', () => {
    const d: Diagnostic = { severity: 'warning', code: 'x', message: 'no data rows', hint: 'check the file' };
    expect(renderDiagnostic(d, undefined)).toBe('<input>: warning: no data rows\n  hint: check the file');
    expect(renderDiagnostic({ ...d, span, file: 'a.pmix' }, undefined)).toBe('a.pmix:1:5: warning: no data rows\n  hint: check the file');
  });

  it('underlines a multi-line span to the end of its first line, at least one caret', () => {
    const d: Diagnostic = { severity: 'note', code: 'x', message: 'here', span };
    expect(renderDiagnostic(d, 'abc defgh\nij')).toBe('<input>:1:5: note: here\n  abc defgh\n      ^^^^^');
    const empty = { ...span, endLine: 1, endColumn: 5, endOffset: 4 };
    expect(renderDiagnostic({ ...d, span: empty }, 'abc defgh')).toBe('<input>:1:5: note: here\n  abc defgh\n      ^');
  });

  it('joins several diagnostics, each with its own file', () => {
    const a: Diagnostic = { severity: 'error', code: 'x', message: 'one', file: 'a', span: { ...span, endLine: 1, endColumn: 6 } };
    const b: Diagnostic = { severity: 'error', code: 'y', message: 'two' };
    const out = renderDiagnostics([a, b], new Map([['a', 'abcdef'], ['<input>', 'zzz']]));
    expect(out).toBe('a:1:5: error: one\n  abcdef\n      ^\n<input>: error: two');
  });
});

describe('bounded echoes', () => {
  it('a 1 MB identifier: the message clips the word, the excerpt shows a window of the line with the caret on it', () => {
    const name = 'Q'.repeat(1 << 20);
    const source = `model M = mixture(k = 2) of ${name}`;
    const d: Diagnostic = { severity: 'error', code: 'unknown-name', message: `unknown distribution or model '${name}'`, file: 'm.pmix', span: { startOffset: 28, endOffset: 28 + name.length, startLine: 1, startColumn: 29, endLine: 1, endColumn: 29 + name.length } };
    const text = renderDiagnostic(d, source);
    expect(text.length).toBeLessThan(700);
    const [head, excerpt, carets] = text.split('\n');
    expect(head).toMatch(/^m\.pmix:1:29: error: unknown distribution or model 'Q+\.\.\.Q+' \(1,048,578 characters\)$/);
    expect(excerpt).toBe(`  model M = mixture(k = 2) of ${'Q'.repeat(100)}...`);
    expect(carets).toBe(`  ${' '.repeat(28)}${'^'.repeat(100)}`);
  });

  it('a long line cut on both sides keeps the caret under the span', () => {
    const line = 'a'.repeat(500) + 'XYZ' + 'b'.repeat(500);
    const d: Diagnostic = { severity: 'error', code: 'x', message: 'here', file: 'f', span: { startOffset: 500, endOffset: 503, startLine: 1, startColumn: 501, endLine: 1, endColumn: 504 } };
    const [, excerpt, carets] = renderDiagnostic(d, line).split('\n');
    const col = carets!.indexOf('^');
    expect(excerpt!.slice(col, col + 3)).toBe('XYZ');
    expect(carets!.trim()).toBe('^^^');
    expect(excerpt!.startsWith('  ...')).toBe(true);
    expect(excerpt!.endsWith('...')).toBe(true);
  });

  it('words of paths and ordinary messages are left whole', () => {
    const path = '/tmp/' + 'd'.repeat(150) + '/data.csv';
    const d: Diagnostic = { severity: 'error', code: 'x', message: `cannot read '${path}'`, file: 'f' };
    expect(renderDiagnostic(d, undefined)).toBe(`f: error: cannot read '${path}'`);
  });
});
