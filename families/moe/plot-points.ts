// The data points a plot of a one-input mixture of experts draws: (input, first output) of rows
// given by the graph's variables (the REPL's fitted data), rows missing either left out.
import type { IRGraph } from '../../ir/types.js';
import { specOf } from './spec.js';

export function plotPoints(graph: IRGraph, rows: readonly (readonly number[])[]): number[][] {
  const { inputs, outputs } = specOf(graph);
  return rows.map((r) => [r[inputs[0]!]!, r[outputs[0]!]!]).filter((q) => Number.isFinite(q[0]) && Number.isFinite(q[1]));
}
