// What the circuit-shaped families (mixture, circuit, squared, integral) share: the memory
// estimate, log densities by the forward pass, free parameters counted on the state, and the
// fit through common/learners.ts with the summary's log-likelihood over weighted rows.
import type { FitSettings } from '../../compiler/program.js';
import type { IRGraph } from '../../ir/types.js';
import type { FamilyFitted, FitRequest, ModelFamily } from '../../runtime/family.js';
import { logDensityRows } from '../../runtime/evaluate.js';
import type { Steps } from '../../runtime/learners/drive.js';
import { checkMemory, fitCost } from '../../runtime/resources.js';
import type { ModelState } from '../../runtime/state.js';
import { learnerSteps } from './learners.js';
import { familyNodeHooks } from '../../runtime/family-nodes.js';

/** Free parameters of the state, plus those of its family parts (a KDE component's bandwidths chosen from the data). */
export function freeParameters(state: ModelState): number {
  let total = state.freeParameterCount();
  for (const n of state.nodes) if (n.kind === 'family') total += familyNodeHooks(n).freeParameters(state, n);
  return total;
}

/** The hooks the circuit-shaped families fill in the same way. */
export const tractableHooks = {
  fitCost: (model: string, data: string, graph: IRGraph, settings: FitSettings, rows: number) => fitCost(model, data, graph, settings, rows),
  freeParameters: (state: ModelState): number => freeParameters(state),
  logDensityRows: (state: ModelState, x: Float64Array, rows: number): Float64Array => logDensityRows(state, x, rows),
  *fit(req: FitRequest): Steps<FamilyFitted> {
    checkMemory(fitCost(req.model, req.data, req.state.graph, req.settings, req.rows), req.maxMemory);
    const fitted = yield* learnerSteps(req);
    const total = req.weights.reduce((a, b) => a + b, 0);
    return {
      // An integral circuit answers queries at its evaluation point counts (eval_points); others are unchanged.
      state: fitted.state.withPoints('eval'),
      result: fitted.result,
      iterations: fitted.result.iterations,
      converged: fitted.result.converged,
      stop: fitted.result.stop,
      criterion: fitted.result.criterion,
      ...(fitted.result.interrupted ? { interrupted: true } : {}),
      meanLogLikelihood: fitted.result.meanLogLikelihood,
      logLikelihood: fitted.result.meanLogLikelihood * total,
      observations: total,
      parameters: freeParameters(fitted.state),
      ...(fitted.details ? { details: fitted.details } : {}),
    };
  },
} satisfies Partial<ModelFamily>;

/** Only gradient fits (Adam) reach a family whose log density needs its normalizer or its nets. */
export function adamOnly(what: string, why: string, lr: number) {
  return (_graph: IRGraph, settings: FitSettings, names: { model: string; data: string }) =>
    settings.method === 'adam' ? undefined : { message: `${names.model} is ${what}: ${why}, not by ${settings.method}`, hint: `fit ${names.model} on ${names.data} by adam(lr = ${lr}, epochs = 50)` };
}

/** The root node's kind, and whether any node has a kind (the families' structural tests). */
export const rootKind = (g: IRGraph): string | undefined => g.nodes.find((n) => n.id === g.root)?.kind;
export const hasKind = (g: IRGraph, kind: IRGraph['nodes'][number]['kind']): boolean => g.nodes.some((n) => n.kind === kind);
