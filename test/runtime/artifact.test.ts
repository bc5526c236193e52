// Artifacts: a fitted model round-trips through JSON; bad, newer and hostile files are refused
// with a message naming the field.
import { describe, expect, it } from 'vitest';
import { serializeArtifact } from '../../runtime/artifact.js';
import { readArtifact } from '../../session/load-artifact.js';
import { PmixError } from '../../runtime/errors.js';
import { logDensityRows } from '../../runtime/evaluate.js';
import { ModelState } from '../../runtime/state.js';
import { Session } from '../../session/session.js';
import { join } from 'node:path';
import { compileOk, runFits, tempDir, writeCsv } from '../helpers/programs.js';

const TEXT = `model G(x, y) = mixture(weights = [0.3, 0.7]) {
  Normal(mean = [0, 1], cov = [[1, 0.5], [0.5, 2]]),
  Normal(mean = [3, -1], cov = [[0.5, -0.2], [-0.2, 1]])
}`;

function artifactText(): string {
  const s = new Session(compileOk(TEXT));
  return serializeArtifact(s.artifact('G'));
}

function refuses(text: string, pattern: RegExp): void {
  let err: unknown;
  try {
    readArtifact(text, 'm.json');
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(PmixError);
  expect((err as Error).message).toMatch(pattern);
}

describe('model artifacts', () => {
  it('round-trip: the loaded model gives the same densities', () => {
    const text = artifactText();
    const a = readArtifact(text);
    expect(a.format).toBe('pmix-model');
    expect(a.provenance.source_sha256).toMatch(/^[0-9a-f]{64}$/);
    const before = new Session(compileOk(TEXT)).stateOf('G');
    const after = new ModelState(a.ir);
    const x = Float64Array.from([0.5, 0.5, 2, -1, NaN, 3]);
    expect(Array.from(logDensityRows(after, x, 3))).toEqual(Array.from(logDensityRows(before, x, 3)));
  });

  it('refuses a family that does not match the nodes, in every direction (the family picks the evaluator and the query paths)', () => {
    const mixture = JSON.parse(artifactText());
    mixture.ir.family = '';
    refuses(JSON.stringify(mixture), /field ir\.family: unknown model family ''/);
    mixture.ir.family = '__proto__';
    refuses(JSON.stringify(mixture), /field ir\.family: unknown model family '__proto__'/);
    mixture.ir.family = 'gp';
    refuses(JSON.stringify(mixture), /family 'gp' has a gp node; this one's nodes are those of a mixture \(family 'mixture'\)/);
    mixture.ir.family = 'squared';
    refuses(JSON.stringify(mixture), /family 'squared' has a square node at its root/);
    mixture.ir.family = 'integral';
    refuses(JSON.stringify(mixture), /family 'integral' has integral nodes/);
    // A circuit (dense sum nodes) relabelled a mixture would answer mode() by local ascent instead of max-product.
    const dir = tempDir();
    const csv = writeCsv(['a', 'b', 'c', 'd'], Array.from({ length: 40 }, (_, i) => [i % 2, (i >> 1) % 2, (i >> 2) % 2, (i * 7) % 2]), dir);
    const fitted = runFits(`data D from "${csv}" { a: bool  b: bool  c: bool  d: bool }\nmodel C = circuit { region linear  inputs Bernoulli  sum(units = 2) }\nfit C on D by em(max_iter = 3)`, join(dir, 'm.pmix'));
    const circuit = JSON.parse(serializeArtifact(fitted.artifact('C')));
    expect(circuit.ir.family).toBe('circuit');
    circuit.ir.family = 'mixture';
    refuses(JSON.stringify(circuit), /family 'mixture' has mixing, product and input nodes only .*those of a circuit \(family 'circuit'\)/);
  });

  it('refuses junk in source positions and deep nesting anywhere (passes copy graphs recursively)', () => {
    const o = JSON.parse(artifactText());
    o.ir.params['n0.mean'].source = { line: 1, column: 2, extra: 1 };
    refuses(JSON.stringify(o), /source\.extra: a source position has only line and column/);
    const d = JSON.parse(artifactText());
    d.ir.params['n0.mean'].source = { line: 1, column: '2' };
    refuses(JSON.stringify(d), /source\.column: expected a non-negative integer/);
    // found by the long artifact fuzz run: 1,735 nested arrays in a field no check read
    const deep = artifactText().replace('"fixed":', `"junk": ${'['.repeat(2000)}${']'.repeat(2000)}, "fixed":`);
    refuses(deep, /nests deeper than 400 levels/);
  });

  it('refuses a newer format version', () => {
    const o = JSON.parse(artifactText());
    o.version = 99;
    refuses(JSON.stringify(o), /format version 99, written by a newer pmix/);
  });

  it('names the bad field', () => {
    const o = JSON.parse(artifactText());
    o.ir.params['n0.mean'].value.pop();
    refuses(JSON.stringify(o), /field ir\.params\['n0\.mean'\]\.value: expected 2 numbers for shape \[1, 2\], got 1/);
    const p = JSON.parse(artifactText());
    p.ir.nodes[0].dist = 'Normall';
    refuses(JSON.stringify(p), /field ir\.nodes\[0\]\.dist: unknown distribution 'Normall'/);
    refuses('{"format": "something"}', /field format/);
    refuses('not json', /not valid JSON/);
  });

  it('refuses __proto__ keys (no prototype pollution)', () => {
    const text = artifactText().replace('"format"', '"__proto__": {"polluted": true}, "format"');
    refuses(text, /forbidden key '__proto__'/);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
