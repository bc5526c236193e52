// Loading model artifacts: the runtime's parse (JSON, fields, graph structure) plus the family
// registry's check that the family the graph names is known and is the one its nodes are of,
// in every direction (a relabelled family would pick another evaluator and other query paths).
import type { IRGraph } from '../ir/types.js';
import { FAMILIES } from '../families/index.js';
import { parseArtifact, type Artifact } from '../runtime/artifact.js';
import type { GraphFail } from '../runtime/family.js';
import { ModelState } from '../runtime/state.js';
import type { PointsChoice } from '../compiler/passes/quadrature.js';

/** Parses and validates an artifact; throws PmixError naming the bad field. */
export function readArtifact(text: string, where = 'artifact'): Artifact {
  return parseArtifact(text, where, checkFamily);
}

/** A loaded artifact's model state (an integral circuit materialized at `points`, default its evaluation points). */
export function loadState(text: string, where = 'artifact', points: PointsChoice = 'eval'): { artifact: Artifact; state: ModelState } {
  const artifact = readArtifact(text, where);
  return { artifact, state: new ModelState(artifact.ir, points) };
}

function checkFamily(g: IRGraph, fail: GraphFail): void {
  const named = FAMILIES.get(g.family);
  if (!named) fail('ir.family', `unknown model family '${g.family}' (expected one of ${[...FAMILIES.keys()].join(', ')})`);
  if (!named.recognizes(g)) {
    const actual = [...FAMILIES.values()].find((f) => f.recognizes(g));
    fail('ir.family', `a graph of family '${g.family}' has ${named.shape}; this one's nodes are those of ${actual ? `${actual.noun} (family '${actual.name}')` : 'no known family'}`);
  }
  named.checkGraph?.(g, fail);
}
