// The family registry: no shared file tests a family's name; each family recognizes the graphs
// lowered from its model text and no family recognizes another's where that would change the
// evaluator; names from artifacts are looked up as own entries only.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FAMILIES, familyOf, loweringFor } from '../../families/index.js';
import type { IRGraph } from '../../ir/types.js';
import { PmixError } from '../../runtime/errors.js';
import { makeArtifact, serializeArtifact } from '../../runtime/artifact.js';
import { loadState } from '../../session/load-artifact.js';
import { Session } from '../../session/session.js';
import { compileOk } from '../helpers/programs.js';
import { FLOORS } from './import-rules.js';

const ROOT = join(import.meta.dirname, '../..');

function sources(dir: string, out: [string, string][] = []): [string, string][] {
  let entries: string[];
  try {
    entries = readdirSync(join(ROOT, dir));
  } catch {
    return out;
  }
  for (const e of entries) {
    const p = `${dir}/${e}`;
    if (statSync(join(ROOT, p)).isDirectory()) sources(p, out);
    else if (p.endsWith('.ts')) out.push([p, readFileSync(join(ROOT, p), 'utf8')]);
  }
  return out;
}

const lowered = (text: string, model: string): IRGraph => {
  const s = new Session(compileOk(text));
  s.lower(model, s.variables(model));
  // The graph as lowered (an integral circuit before quadrature: what artifacts store).
  return s.lowered.get(model)!;
};

describe('the family registry', () => {
  it('no shared code branches on a family name (family === / !== a name) outside families/', () => {
    const shared = FLOORS.flat().filter((f) => f !== 'families');
    // A family compared with something (`graph.family === 'gp'`, `family !== SQUARED`) or a name
    // compared with a family (`'gp' === graph.family`). A leaf's `family.name` is a distribution.
    const branch = /\bfamily\s*(===|!==)|['"`][\w-]*['"`]\s*(===|!==)\s*[\w.]*\bfamily\b/;
    const hits = shared.flatMap((d) => sources(d)).flatMap(([p, text]) => text.split('\n').flatMap((line, i) => (branch.test(line) ? [`${p}:${i + 1}: ${line.trim()}`] : [])));
    expect(hits).toEqual([]);
    // The pattern catches the branches it is for (a deliberately wrong line of each kind) and not a leaf's name.
    for (const bad of ["if (state.graph.family === 'gp') return", "g.family !== SQUARED", "if ('squared' === g.family)"]) expect(branch.test(bad)).toBe(true);
    expect(branch.test("if (a.family.name !== b.family.name) return")).toBe(false);
  });

  it('each family recognizes the graphs lowered from its model text (the artifact loader relies on it)', () => {
    const graphs: Record<string, IRGraph> = {
      mixture: lowered('model G(x, y) = mixture(weights = [0.3, 0.7]) { Normal(mean = [0, 1], cov = [[1, 0], [0, 1]]), Normal(mean = [3, -1], cov = [[1, 0], [0, 1]]) }', 'G'),
      squared: lowered('model S(x) = square(mixture(weights = [1.0, -0.6]) { Normal(mean = 0, sd = 1), Normal(mean = 0, sd = 0.5) })', 'S'),
      integral: lowered('model W(x) = integral z: real in [0, 1] by midpoint(points = 20) of Normal(mean = z, sd = 0.3)', 'W'),
      gp: lowered('model M(x, y) = gp(x -> y) { kernel = rbf(ls = 1) }', 'M'),
      kde: lowered('model K(x, y) = kde(kernel = epanechnikov, bandwidth = silverman)', 'K'),
      moe: lowered('model E = experts(x -> y) { k = 2; gate = gaussian }', 'E'),
    };
    for (const [name, g] of Object.entries(graphs)) {
      expect(g.family).toBe(name);
      expect([name, familyOf(g).recognizes(g)]).toEqual([name, true]);
      // Families whose evaluators differ from this graph's refuse it.
      const others = [...FAMILIES.values()].filter((f) => f.name !== name && f.recognizes(g)).map((f) => f.name);
      expect(others).toEqual(name === 'mixture' ? ['circuit'] : []);
    }
  });

  it('a family node relabelled as another family is refused by the artifact loader, naming the field', () => {
    const g = lowered('model K(x, y) = kde()', 'K');
    for (const family of ['mixture', 'circuit']) {
      const text = serializeArtifact(makeArtifact('K', { ...g, family }, {}));
      // The family check comes first: the named family does not recognize a family node's graph.
      expect(() => loadState(text)).toThrow(/field ir\.family: a graph of family '(mixture|circuit)' has .*; this one's nodes are those of .*\(family 'kde'\)/);
    }
  });

  it('looks names up as own entries: unknown and inherited names are refused', () => {
    for (const family of ['', 'nosuch', '__proto__', 'constructor', 'toString']) {
      expect(() => familyOf({ family })).toThrow(PmixError);
      expect(() => familyOf({ family })).toThrow(/unknown model family/);
    }
  });

  it("a family's own model inside a mixture is told it stands alone (from the registry, no name in the shared lowering), unless the family lowers it as a part", () => {
    // kde lowers a part (lowering.lowerComponent): a family node the runtime evaluates through the family's component hooks
    const kde = new Session(compileOk('model M(x) = mixture(k = 2) of kde()'));
    expect(kde.check()).toEqual([]);
    expect(kde.lowered.get('M')!.nodes.map((n) => (n.kind === 'family' ? n.family : n.kind))).toEqual(['kde', 'mixing']);
    for (const [name, vars] of [['chow_liu', '(a, b)']] as const) {
      const s = new Session(compileOk(`model M${vars} = mixture(k = 2) of ${name}()`));
      expect(s.check().map((d) => d.message)).toEqual([expect.stringMatching(new RegExp(`^${name}\\(\\.\\.\\.\\) is .*, a model of its own: it stands alone`))]);
    }
  });

  it('routes a GP body to its family lowering and every other body to the shared lowering', () => {
    const prog = compileOk('model M(x, y) = gp(x -> y) { kernel = rbf() }\nmodel N(x) = mixture(k = 2) of Normal');
    expect(loweringFor(prog.models.get('M')!.decl.body)?.name).toBe('gp');
    expect(loweringFor(prog.models.get('N')!.decl.body)).toBeUndefined();
    // experts(x -> y) shares the GP's conditional syntax but belongs to the moe family
    expect(loweringFor(compileOk('model E = experts(x -> y) { k = 2 }').models.get('E')!.decl.body)?.name).toBe('moe');
  });
});
