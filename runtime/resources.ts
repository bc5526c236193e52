// Memory (and, for exact GPs, time) limits of fits: the estimate of compiler/cost.ts for a model on a data set, checked
// against the session's limit before the per-row buffers are allocated.
import { estimateCost, fitBytes, formatBytes, type CostEstimate } from '../compiler/cost.js';
import type { IRGraph } from '../ir/types.js';
import type { FitSettings } from '../compiler/program.js';
import { PmixError } from './errors.js';
import { formatSeconds } from './gp/cost.js';

export interface FitCost {
  readonly model: string;
  readonly data: string;
  readonly method: FitSettings['method'];
  readonly rows: number;
  readonly estimate: CostEstimate;
  /** Estimated bytes for the whole fit. */
  readonly bytes: number;
  /** Estimated seconds at most (exact GPs: runtime/gp/cost.ts), and how they were estimated. */
  readonly seconds?: number;
  readonly time?: string;
}

export function fitCost(model: string, data: string, graph: IRGraph, settings: FitSettings, rows: number): FitCost {
  // GP fits (lbfgs) keep no per-row buffers of this kind; their own estimate is in runtime/gp/session-fit.ts (time: runtime/gp/cost.ts).
  const estimate = estimateCost(graph, settings.method === 'adam' ? 'adam' : 'em');
  return { model, data, method: settings.method, rows, estimate, bytes: fitBytes(estimate, rows) };
}

/** Refuses a fit whose estimate exceeds `limit` bytes, with the estimate in the message. */
export function checkMemory(c: FitCost, limit: number | undefined): void {
  if (limit === undefined || c.bytes <= limit) return;
  throw new PmixError(
    `fitting ${c.model} on ${c.data} needs an estimated ${formatBytes(c.bytes)} (${c.estimate.parameters.toLocaleString('en-US')} parameter values, ${formatBytes(c.estimate.bytesPerRow)} per row x ${c.rows.toLocaleString('en-US')} rows), over the limit of ${formatBytes(limit)}`,
    'too-big',
    'lower k or use fewer rows; or raise the limit with --max-memory (e.g. --max-memory 16GB) or PMIX_MAX_MEMORY',
  );
}

/** One line for `pmix check --cost`. */
export function describeCost(c: FitCost, limit: number | undefined, timeLimit?: number): string {
  const slow = c.seconds === undefined ? '' : `; time: ${c.time}${timeLimit !== undefined && c.seconds > timeLimit ? `, OVER the time limit of ${formatSeconds(timeLimit)}` : timeLimit !== undefined ? ` (limit ${formatSeconds(timeLimit)})` : ''}`;
  const over = limit !== undefined && c.bytes > limit ? `, OVER the limit of ${formatBytes(limit)}` : limit !== undefined ? ` (limit ${formatBytes(limit)})` : '';
  return `fit ${c.model} on ${c.data} by ${c.method}: ${c.estimate.parameters.toLocaleString('en-US')} parameter values (${formatBytes(c.estimate.parameterBytes)} with working copies), ${formatBytes(c.estimate.bytesPerRow)} per row, ${c.rows.toLocaleString('en-US')} rows: about ${formatBytes(c.bytes)} in all${over}; ${flops(c.estimate.flopsPerRow)} per row per forward pass${slow}`;
}

function flops(f: number): string {
  return f >= 1e9 ? `${(f / 1e9).toPrecision(3)} GFLOP` : f >= 1e6 ? `${(f / 1e6).toPrecision(3)} MFLOP` : f >= 1e3 ? `${(f / 1e3).toPrecision(3)} kFLOP` : `${Math.round(f)} FLOP`;
}
