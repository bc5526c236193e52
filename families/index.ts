// The registry of model families: adding a family is one folder beside these and one line here.
// Shared code (session, API, CLI, REPL, artifact loader) asks the registry, never a family's name.
// Order matters where lowerings overlap: multitask (experts(...) with a task item) before moe.
import type { ModelFamily } from '../runtime/family.js';
import type { IRGraph } from '../ir/types.js';
import type { AnswerableForms } from '../ir/query.js';
import type { ModelExpr } from '../language/index.js';
import { PmixError } from '../runtime/errors.js';
import { registerFamilyNodes } from '../runtime/family-nodes.js';
import { mixtureFamily } from './mixture/index.js';
import { circuitFamily } from './circuit/index.js';
import { squaredFamily } from './squared/index.js';
import { integralFamily } from './integral/index.js';
import { gpFamily } from './gp/index.js';
import { kdeFamily } from './kde/index.js';
import { chowLiuFamily } from './chow-liu/index.js';
import { moeFamily } from './moe/index.js';
import { multitaskFamily } from './multitask/index.js';

export const FAMILIES: ReadonlyMap<string, ModelFamily> = new Map([mixtureFamily, circuitFamily, squaredFamily, integralFamily, gpFamily, kdeFamily, chowLiuFamily, multitaskFamily, moeFamily].map((f) => [f.name, f]));
// The runtime evaluates a family's part of a mixture (a KDE component) through its hooks.
registerFamilyNodes((name) => FAMILIES.get(name)?.component);

/** The family a graph names (a Map: a name like '__proto__' from an artifact finds nothing). */
export function familyOf(graph: Pick<IRGraph, 'family'>): ModelFamily {
  const f = FAMILIES.get(graph.family);
  if (!f) throw new PmixError(`unknown model family '${String(graph.family)}' (known: ${[...FAMILIES.keys()].join(', ')})`, 'bad-artifact');
  return f;
}

/** The family that lowers a model body itself (e.g. a GP), or undefined for the shared lowering. */
export function loweringFor(body: ModelExpr): ModelFamily | undefined {
  for (const f of FAMILIES.values()) if (f.lowering?.claims(body)) return f;
  return undefined;
}

/** What the binder needs of a graph's family: the forms it answers, its noun, its refusals, a conditional model's roles. */
export function answerableForms(graph: IRGraph): AnswerableForms {
  const f = familyOf(graph);
  const roles = f.roles?.(graph);
  const refusals = f.refusals?.(graph);
  return { forms: f.formsOf?.(graph) ?? f.forms, what: f.noun, ...(refusals ? { refusals } : {}), ...(roles ? { roles } : {}) };
}

export type { ModelFamily } from '../runtime/family.js';
