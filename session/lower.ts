// Lowering a model of a program: a family that owns its model expressions (a GP's
// `gp(x -> y) { ... }`) lowers them itself; every other body goes through the shared lowering
// (compiler/lower.ts), where mixtures, circuits, squared and integral circuits nest.
import { lowerModel, type LowerOptions } from '../compiler/lower.js';
import type { AnalyticReport } from '../compiler/passes/analytic-integrals.js';
import type { CompiledProgram } from '../compiler/program.js';
import type { IRGraph, IRVariable } from '../ir/types.js';
import type { Diagnostic } from '../language/index.js';
import { loweringFor } from '../families/index.js';

export function lowerProgramModel(program: CompiledProgram, model: string, vars: readonly IRVariable[], opts: LowerOptions = {}): { graph?: IRGraph; diagnostics: Diagnostic[]; analytic?: AnalyticReport[] } {
  const body = program.models.get(model)?.decl.body;
  const owner = body && loweringFor(body);
  if (body && owner?.lowering) return owner.lowering.lower(program, body, vars, opts);
  return lowerModel(program, model, vars, { ...opts, ownerOf: (e) => loweringFor(e) });
}
