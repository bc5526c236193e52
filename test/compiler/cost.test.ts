// Resource limits: the memory estimate of a fit, the lowering guard against absurd k (refused
// on the span of k before any array is allocated), and fits refused over the memory limit.
import { describe, expect, it } from 'vitest';
import { estimateCost, fitBytes, formatBytes, MAX_PARAMETER_VALUES, parseBytes } from '../../compiler/cost.js';
import type { IRVariable } from '../../ir/types.js';
import { lowerModel } from '../../compiler/lower.js';
import { PmixError } from '../../runtime/errors.js';
import { Session } from '../../session/session.js';
import { compileOk, tempDir, writeCsv } from '../helpers/programs.js';

const reals = (n: number): IRVariable[] => Array.from({ length: n }, (_, i) => ({ name: `x${i}`, type: { kind: 'real' } }));

function lower(body: string, vars: IRVariable[]) {
  const text = `model M = ${body}`;
  return { text, ...lowerModel(compileOk(text), 'M', vars) };
}

describe('the memory estimate', () => {
  it('counts parameters and per-row buffers of a GMM', () => {
    const { graph } = lower('mixture(k = 3) of Normal(full)', reals(4));
    const c = estimateCost(graph!);
    expect(c.parameters).toBe(3 * 4 + 3 * 16 + 3); // means, covariances, weights
    expect(c.parameterBytes).toBeGreaterThanOrEqual(c.parameters * 8);
    // at least the data row, and values + flows of 3 leaf units and the root
    expect(c.bytesPerRow).toBeGreaterThanOrEqual(8 * (4 + 2 * 4));
    expect(fitBytes(c, 1000)).toBe(c.parameterBytes + 1000 * c.bytesPerRow);
    expect(estimateCost(graph!, 'adam').parameterBytes).toBeGreaterThan(c.parameterBytes);
  });

  it('grows linearly in k and in rows', () => {
    const a = estimateCost(lower('mixture(k = 10) of Normal(diag)', reals(3)).graph!);
    const b = estimateCost(lower('mixture(k = 20) of Normal(diag)', reals(3)).graph!);
    expect(b.bytesPerRow - a.bytesPerRow).toBeGreaterThan(0);
    expect(b.parameters).toBeCloseTo(2 * a.parameters, -1);
  });

  it('parses and prints sizes', () => {
    expect(parseBytes('8GB')).toBe(8e9);
    expect(parseBytes('512MiB')).toBe(512 * 2 ** 20);
    expect(parseBytes(' 1.5 kb ')).toBe(1500);
    expect(parseBytes('1e9')).toBe(1e9);
    for (const bad of ['', 'lots', '-1GB', '0', '8 GBs', 'NaN']) expect(parseBytes(bad), bad).toBeUndefined();
    expect(formatBytes(1536)).toBe('1.50 KiB');
    expect(formatBytes(12)).toBe('12 B');
  });
});

describe('lowering refuses absurd sizes before allocating', () => {
  // Refused before allocating: the parameters would take ~2 TB; memory is checked, not time (no timed assertions).
  it('mixture(k = 100000000) of Normal(full) over 50 columns: a diagnostic on k, nothing allocated', () => {
    const before = process.memoryUsage().arrayBuffers;
    const { text, graph, diagnostics } = lower('mixture(k = 100000000) of Normal(full)', reals(50));
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(64 * 2 ** 20);
    expect(graph).toBeUndefined();
    const d = diagnostics.find((x) => x.code === 'too-big')!;
    expect(d.message).toMatch(/100,000,000 components/);
    expect(text.slice(d.span!.startOffset, d.span!.endOffset)).toBe('k = 100000000');
  });

  it('a k that fits the component count but not the parameters: a diagnostic on the leaf', () => {
    const { text, graph, diagnostics } = lower('mixture(k = 1000000) of Normal(full)', reals(50));
    expect(graph).toBeUndefined();
    const d = diagnostics.find((x) => x.code === 'too-big')!;
    expect(d.message).toMatch(/needs 2,550,000,000 parameter values/);
    expect(text.slice(d.span!.startOffset, d.span!.endOffset)).toBe('Normal(full)');
  });

  it('nested mixtures multiply', () => {
    const { diagnostics } = lower('mixture(k = 10000) of mixture(k = 10000) of Normal(diag)', reals(2));
    expect(diagnostics.some((d) => d.code === 'too-big' && /100,000,000 components/.test(d.message))).toBe(true);
  });

  it('the limit leaves ordinary models alone', () => {
    expect(lower('mixture(k = 1000) of Normal(full)', reals(50)).graph).toBeDefined();
    expect(MAX_PARAMETER_VALUES).toBeGreaterThan(1000 * (50 + 2500) + 1000);
  });

  it('parameter values that overflow or underflow in their stored form are refused on the argument', () => {
    for (const [arg, why] of [['sd = 1e-300', /not positive definite/], ['sd = 1e300', /Infinity, not a finite number/]] as const) {
      const { text, graph, diagnostics } = lower(`Normal(mean = 0, ${arg})`, reals(1));
      expect(graph).toBeUndefined();
      expect(diagnostics[0]!.message).toMatch(why);
      expect(text.slice(diagnostics[0]!.span!.startOffset, diagnostics[0]!.span!.endOffset)).toBe(arg);
    }
  });
});

describe('fits over the memory limit', () => {
  it('are refused before fitting, with the estimate in the message', () => {
    const dir = tempDir();
    writeCsv(['a', 'b'], Array.from({ length: 200 }, (_, i) => [i % 7, (i * 3) % 11]), dir);
    const program = compileOk(`data d from "data.csv" { a: real, b: real }\nmodel M = mixture(k = 50) of Normal(full)\nfit M on d by em()`, `${dir}/m.pmix`);
    const step = program.steps[0]!;
    if (step.kind !== 'fit') throw new Error('expected a fit');
    const cost = new Session(program).fitCost(step);
    expect(cost.rows).toBe(200);
    const tight = new Session(program, { maxMemory: cost.bytes - 1 });
    let err: unknown;
    try {
      tight.fit(step);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PmixError);
    expect((err as PmixError).code).toBe('too-big');
    expect((err as Error).message).toMatch(/fitting M on d needs an estimated [\d.]+ KiB \(.* parameter values, .* per row x 200 rows\), over the limit of/);
    expect(tight.fitted.has('M')).toBe(false);
    expect(() => new Session(program, { maxMemory: cost.bytes }).fit({ ...step, settings: { ...step.settings, maxIter: 2 } as typeof step.settings })).not.toThrow();
  });
});
