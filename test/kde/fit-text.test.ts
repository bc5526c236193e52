// The fit text is the family's (ModelFamily.fitText, dispatched on FitSummary.family): a GP's is
// byte-identical to what api/format.ts printed before the hook (the old function, copied here);
// a KDE's shows its bandwidth (h per column, or the full matrix) and the CV choice. And `fit M
// on d` without `by` uses the family's default method (ModelFamily.defaultMethod).
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatFit } from '../../api/format.js';
import { stopPhrase } from '../../api/format-stop.js';
import type { GPFitInfo } from '../../runtime/gp/session-fit.js';
import { Session, type FitSummary } from '../../session/session.js';
import { Rng } from '../../stdlib/random.js';
import { compileOk, writeCsv } from '../helpers/programs.js';

const root = new URL('../../', import.meta.url).pathname;
const faithful = join(root, 'examples/data/faithful.csv');

function fit(text: string): { s: Session; summary: FitSummary } {
  const s = new Session(compileOk(text));
  let summary: FitSummary | undefined;
  for (const st of s.program.steps) if (st.kind === 'fit') summary = s.fit(st);
  return { s, summary: summary! };
}

/** api/format-gp.ts's formatGpFit before the fitText hook, verbatim. */
function oldGpText(s: FitSummary, g: GPFitInfo): string {
  const num = (x: number, digits = 6): string => {
    if (!Number.isFinite(x)) return String(x);
    if (x !== 0 && (Math.abs(x) < 1e-4 || Math.abs(x) >= 1e7)) return x.toExponential(digits - 2);
    return Number(x.toPrecision(digits)).toString();
  };
  const lines = [
    `fit ${s.model} on ${s.data} by ${s.method}: ${stopPhrase(s)}`,
    `  ${g.inference} GP on ${g.points} points, free hyperparameters ${s.parameters}`,
    `  ${g.inference === 'exact' ? 'log marginal likelihood' : 'ELBO (lower bound on the log marginal likelihood)'} ${num(g.log_marginal_likelihood, 8)}   BIC ${num(s.bic, 8)}`,
  ];
  for (const [k, v] of Object.entries(g.hyperparameters)) {
    if (v.length > 8) lines.push(`  ${k} = [${v.slice(0, 8).map((x) => num(x, 4)).join(', ')}, ...]`);
    else lines.push(`  ${k} = ${v.length === 1 ? num(v[0]!, 5) : `[${v.map((x) => num(x, 5)).join(', ')}]`}`);
  }
  for (const n of g.notes) lines.push(`  note: ${n}`);
  return lines.join('\n');
}

const gpData = (): string => {
  const rng = new Rng(5);
  return writeCsv(['x', 'y'], Array.from({ length: 30 }, (_, i) => [i / 5, Math.sin(i / 5) + 0.1 * rng.normal()]));
};

describe('fit text by family', () => {
  it("a GP's text is its family's, byte-identical to the text before the hook (exact and sparse)", () => {
    const csv = gpData();
    for (const [model, by] of [
      ['gp(x -> y) { kernel = rbf() }', 'by lbfgs(restarts = 2)'],
      ['gp(x -> y) { kernel = rbf() + white()  inference = sparse(m = 5) }', 'by adam(lr = 0.05, epochs = 3, batch = 10)'],
    ]) {
      const { summary } = fit(`data d from "${csv}" { x: real  y: real }\nmodel M = ${model}\nfit M on d ${by}\n`);
      expect(summary.family).toBe('gp');
      expect(summary.gp).toBeDefined();
      expect(formatFit(summary)).toBe(oldGpText(summary, summary.gp!));
    }
  });

  it("a KDE's text shows the full matrix (scott), h per column (normal_reference), and the CV choice with every value's score", () => {
    const data = `data d from "${faithful}" { eruptions: real  waiting: real }\n`;
    const scott = formatFit(fit(`${data}model M = kde()\nfit M on d\n`).summary).split('\n');
    expect(scott[3]).toMatch(/^ {2}bandwidth: full matrix H = \[\[0\.201062, 2\.15733\], \[2\.15733, 28\.5255\]\] {3}\(scott \(H = 0\.392861\^2 Cov\)\)$/);
    const nr = fit(`${data}model M = kde(bandwidth = normal_reference)\nfit M on d\n`).summary;
    const h = (nr as unknown as { kde: { h: number[] } }).kde.h;
    expect(formatFit(nr).split('\n')[3]).toBe(`  bandwidth: h = eruptions ${Number(h[0]!.toPrecision(6))}, waiting ${Number(h[1]!.toPrecision(6))}   (normal_reference (h = ${h.map((v) => v.toPrecision(6)).join(', ')}))`);
    const cv = fit(`${data}model M = kde(bandwidth = cv(grid = [0.1, 0.3, 0.9], scale = whitened))\nfit M on d\n`).summary;
    const scores = (cv as unknown as { kde: { cv: { value: number; mean_heldout_log_likelihood: number }[] } }).kde.cv;
    const best = scores.reduce((a, b) => (b.mean_heldout_log_likelihood > a.mean_heldout_log_likelihood ? b : a));
    const line = formatFit(cv).split('\n').find((l) => l.startsWith('  cv: '))!;
    expect(line).toMatch(new RegExp(`^ {2}cv: chose ${best.value} \\(mean held-out log-likelihood -?[0-9.]+\\); tried 0\\.1: -?[0-9.]+, 0\\.3: -?[0-9.]+, 0\\.9: -?[0-9.]+$`));
  });

  it('a summary without its family (written by hand, or by an older pmix) gets the shared three lines', () => {
    const { summary } = fit(`data d from "${faithful}" { eruptions: real  waiting: real }\nmodel M = kde()\nfit M on d\n`);
    const { family: _, ...rest } = summary;
    expect(formatFit(rest as FitSummary).split('\n')).toHaveLength(3);
  });
});

describe('fit M on d without `by`: the family default method', () => {
  const csv = gpData();
  const data = `data d from "${csv}" { x: real  y: real }\n`;
  const method = (model: string, by = ''): string => fit(`${data}model M = ${model}\nfit M on d${by}\n`).summary.method;
  it('an exact GP: lbfgs; a sparse GP: adam; a KDE: em (it stores the rows); a mixture and a circuit: em', () => {
    expect(method('gp(x -> y) { kernel = rbf() }')).toBe('lbfgs');
    expect(method('gp(x -> y) { kernel = rbf()  inference = sparse(m = 4) }')).toBe('adam');
    expect(method('kde()')).toBe('em');
    expect(method('mixture(k = 2) of Normal')).toBe('em');
    expect(method('circuit { region random_tree(depth = 1, repeats = 1, seed = 3) inputs Normal sum(units = 2) }')).toBe('em');
    expect(method('mixture(k = 2) of kde()')).toBe('em');
  });
  it('a method written with `by` is kept (and refused where the family cannot use it)', () => {
    expect(() => method('gp(x -> y) { kernel = rbf() }', ' by em')).toThrow(/an exact GP is fitted by lbfgs, not em/);
    expect(method('mixture(k = 2) of Normal', ' by adam(lr = 0.1, epochs = 2)')).toBe('adam');
  });
});
