// Integral models through every user path: the API (fit, evaluation at another quadrature
// size, save/load), artifacts (round trip, tampered functions refused), diagnostics on bad
// model text (each at its place), and the learners a model refuses.
import { describe, expect, it } from 'vitest';
import { compile, load, PmixInputError } from '../../api/index.js';
import { compile as compileText } from '../../compiler/compile.js';
import { Session } from '../../session/session.js';
import { readArtifact } from '../../session/load-artifact.js';
import { PmixError } from '../../runtime/errors.js';
import { Rng } from '../../stdlib/random.js';

const rng = new Rng(5);
const rows = Array.from({ length: 400 }, () => {
  const z = 2 * rng.uniform() - 1;
  return { x: Math.tanh(2 * z) + 0.2 * rng.normal() };
});

describe('integral models in the API', () => {
  it('fits a continuous mixture, evaluates it at another quadrature size, and round-trips', async () => {
    const m = compile(`model W = integral z: real in [-1, 1] by gauss_legendre(points = 16) of Normal(mean = mlp(hidden = 8, layers = 1), sd = 0.3)`).model('W');
    const before = await m.fit(rows, { method: 'adam', epochs: 1, seed: 1, lr: 0.01 });
    const after = await m.fit(rows, { method: 'adam', epochs: 30, seed: 1, lr: 0.02 });
    expect(after.mean_log_likelihood).toBeGreaterThan(before.mean_log_likelihood + 0.05);
    const pts = [{ x: -0.9 }, { x: 0 }, { x: 0.95 }];
    const lp = m.logProb(pts);
    // The fitted functions define one density; finer quadratures converge to it.
    const mid = m.withQuadrature(128).logProb(pts);
    const fine = m.withQuadrature(512).logProb(pts);
    for (let i = 0; i < 3; i++) expect(Math.abs(fine[i]! - mid[i]!)).toBeLessThan(1e-3);
    const loaded = load(m.save());
    expect(Array.from(loaded.logProb(pts))).toEqual(Array.from(lp));
    expect(() => m.withQuadrature(0)).toThrow(/points must be an integer/);
  });
});

async function fittedArtifact(): Promise<string> {
  const m = compile(`model W = integral z: normal by gauss_hermite(points = 8) of Normal(mean = mlp(hidden = 4, layers = 1), sd = 0.5)`).model('W');
  await m.fit(rows.slice(0, 50), { method: 'adam', epochs: 2, seed: 1 });
  return m.save();
}

describe('integral artifacts', () => {
  it('store the integral circuit as written and load it back', async () => {
    const text = await fittedArtifact();
    const a = readArtifact(text);
    expect(a.ir.nodes.some((n) => n.kind === 'integral')).toBe(true);
    expect(Object.values(a.ir.params).some((p) => p.param.kind === 'neural')).toBe(true);
  });

  it('refuse tampered functions with the field named', async () => {
    const good = JSON.parse(await fittedArtifact());
    const mutate = (f: (ir: any) => void): string => {
      const a = structuredClone(good);
      f(a.ir);
      return JSON.stringify(a);
    };
    const neural = (ir: any): any => Object.values(ir.params).find((p: any) => p.param.kind === 'neural' && p.param.fn.kind === 'net') as any;
    const integral = (ir: any): any => ir.nodes.find((n: any) => n.kind === 'integral');
    const cases: [string, (ir: any) => void, RegExp][] = [
      ['unknown activation', (ir) => (neural(ir).param.fn.layers[0].activation = 'gelu'), /activation/],
      ['missing layer', (ir) => (neural(ir).param.fn.layers[0].w = 'nope'), /missing parameter/],
      ['bad quadrature', (ir) => (integral(ir).latents[0].quadrature.points = 1e9), /quadrature/],
      ['bad domain', (ir) => (integral(ir).latents[0].domain = { kind: 'interval', lower: 1, upper: 0 }), /domain/],
      ['code in an expression', (ir) => (neural(ir).param.fn = { kind: 'expr', arg: 'mean', expr: { op: 'call', fn: 'constructor', args: [] } }), /unknown function/],
      ['deep expression', (ir) => {
        let e: any = { op: 'num', value: 1 };
        for (let i = 0; i < 200; i++) e = { op: 'neg', a: e };
        neural(ir).param.fn = { kind: 'expr', arg: 'mean', expr: e };
      }, /deeper/],
      ['wrong output', (ir) => (neural(ir).param.output = 'spd'), /output/],
      // exp(2^31) is an infinite variance at every point (found by the long artifact fuzz run)
      ['overflowing constant', (ir) => (Object.values(ir.params).find((p: any) => p.name.endsWith('.const')) as any).value[0] = 2 ** 31, /cannot use at the quadrature points/],
    ];
    for (const [what, f, re] of cases) {
      let err: unknown;
      try {
        readArtifact(mutate(f));
      } catch (e) {
        err = e;
      }
      expect(err, what).toBeInstanceOf(PmixError);
      expect((err as Error).message, what).toMatch(re);
    }
  });
});

describe('integral models: diagnostics at their place', () => {
  const diag = (text: string): { line?: number; column?: number; message: string } => {
    const { program, diagnostics } = compileText(text, '/tmp/m.pmix');
    if (!program) return { line: diagnostics[0]?.span?.startLine, column: diagnostics[0]?.span?.startColumn, message: diagnostics[0]!.message };
    try {
      new Session(program).check().forEach((d) => {
        throw Object.assign(new Error(d.message), { d });
      });
    } catch (e) {
      const d = (e as { d: { span?: { startLine: number; startColumn: number }; message: string } }).d;
      return { line: d.span?.startLine, column: d.span?.startColumn, message: d.message };
    }
    throw new Error(`no diagnostic for: ${text}`);
  };
  const cases: [string, RegExp, number][] = [
    ['model M(x) = integral z: real in [1, 0] of Normal(mean = z, sd = 1)', /lower < upper/, 1],
    ['model M(x) = integral z: uniform of Normal(mean = z, sd = 1)', /domain is real in \[a, b\]/, 1],
    ['model M(x) = integral z: real in [0, 1] by gauss_hermite(points = 8) of Normal(mean = z, sd = 1)', /gauss_hermite integrates over the real line/, 1],
    ['model M(x) = integral z: real in [0, 1] by simpson(points = 8) of Normal(mean = z, sd = 1)', /unknown quadrature rule 'simpson'/, 1],
    ['model M(x) = integral z: real in [0, 1] by midpoint(points = 0) of Normal(mean = z, sd = 1)', /points must be an integer from 1/, 1],
    ['model M(x) = integral x: real in [0, 1] of Normal(mean = x, sd = 1)', /name of a variable/, 1],
    ['model M(x) = integral z: real in [0, 1] of\n  Normal(mean = z, sd = 0.5 - z)', /sd is .* at the latent value/, 2],
    ['model M(x) = integral z: real in [0, 1] of Normal(mean = mlp(hiden = 4), sd = 1)', /mlp takes hidden, layers and activation/, 1],
    ['model M(x) = integral z: real in [0, 1] of Normal(mean = 1 + mlp(hidden = 4), sd = 1)', /whole argument/, 1],
    ['model M(x) = integral z: real in [0, 1] of Normal(mean = foo(z), sd = 1)', /unknown function 'foo'/, 1],
    ['model M(x) = integral z: real in [0, 1] of mixture(k = 2) of Normal', /body of an integral/, 1],
    ['model M(x) = integral z: real in [0, 1] of Normal(mean = constructor(z), sd = 1)', /unknown function 'constructor'/, 1],
    ['let a = __proto__(1)\nmodel M(x) = Normal(mean = a, sd = 1)', /unknown function '__proto__'/, 1],
    ['model M(x) = mixture(k = 2) of integral z: real in [0, 1] of Normal(mean = z, sd = 1)', /cannot be replicated/, 1],
    ['model M(x) = integral z: real in [0, 1] of integral u: normal of Normal(mean = u, sd = 1)', /cannot hold another integral/, 1],
    ['model M(a, b, c, d) = circuit { region poon_domingos(width = 2)  integral }', /tree region graph/, 1],
    ['model M(a, b, c, d) = circuit { region linear  integral gauss_legendre  sum(units = 4) }', /drop the sum entry/, 1],
    ['model M(a, b, c, d) = circuit { region linear  integral  sum(units = 4) }', /unknown quadrature rule 'sum'/, 1],
    ['model M(a, b, c, d) = circuit { region linear  net mlp(hidden = 4) }', /add an integral entry/, 1],
    ['model M(a, b, c) = circuit { region linear  integral gauss_legendre(points = 4000)  net mlp(hidden = 64) }', /nets would be evaluated at more than/, 1],
    ['model M(a, b, c, d) = circuit { region linear  integral gauss_legendre(points = 4096)  product kronecker }', /more than 16,777,216 parameter values/, 1],
    ['model M(a, b, c, d) = circuit { region linear  integral gauss_legendre  sharing most }', /sharing is one of/, 1],
    ['model M(a, b, c, d) = circuit { region linear  integral gauss_legendre  net mlp(hidden = 0) }', /mlp's hidden must be an integer from 1 to 1024/, 1],
    ['model M(a, b, c, d) = circuit { region linear  integral gauss_legendre  net mlp(activation = gelu) }', /activation is one of tanh, relu, sin/, 1],
  ];
  for (const [text, re, line] of cases) {
    it(text.replace(/\n/g, ' '), () => {
      const d = diag(text);
      expect(d.message).toMatch(re);
      expect(d.line).toBe(line);
    });
  }

  it('EM is refused for an integral circuit, with the Adam hint', async () => {
    const m = compile(`model W = integral z: real in [0, 1] of Normal(mean = mlp(hidden = 2), sd = 1)`).model('W');
    let err: unknown;
    try {
      await m.fit(rows.slice(0, 20), { method: 'em' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PmixInputError);
    const d = (err as PmixInputError).diagnostics[0]!;
    expect(d.message).toMatch(/integral circuit/);
    expect(d.hint).toMatch(/adam/);
  });

  it('PmixInputError is what the API throws for bad integral text', () => {
    expect(() => compile(`model W(x) = integral z: real in [0, 1] by nope of Normal(mean = z)`).model('W').logProb([{ x: 1 }])).toThrow(PmixInputError);
  });
});
