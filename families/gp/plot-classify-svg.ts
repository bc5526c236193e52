// A decision map of a fitted two-input GP classifier (bernoulli likelihood), through plot/'s
// 2-D density picture: the class probability p over the inputs' range (widened by 10%) as
// filled contour bands on a fixed [0, 1] colour scale (blue for p -> 0, white at 0.5, red for
// p -> 1; fixed, so a colour means the same p in every map), the p = 0.5 boundary as a line,
// and the training points coloured by label.
import { density2dSvg } from '../../plot/index.js';
import { gpNode } from '../../runtime/gp/fit.js';
import { predict, trainingData } from '../../runtime/gp/predict.js';
import type { ModelState } from '../../runtime/state.js';

/** Cells per side of the grid p is evaluated on (at the cells' centres). */
const CELLS = 70;
const BLUE = '#1f77b4';
const RED = '#d62728';

export function plotClassifier(state: ModelState): string {
  const node = gpNode(state.graph);
  if (node.inputs.length !== 2 || node.likelihood?.name !== 'bernoulli') throw new Error('a decision map needs a GP classifier (bernoulli likelihood) with two inputs');
  const d = trainingData(state);
  const range = (c: number): [number, number] => {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < d.n; i++) {
      lo = Math.min(lo, d.x[i * d.stride + c]!);
      hi = Math.max(hi, d.x[i * d.stride + c]!);
    }
    const pad = (hi - lo || 1) * 0.1;
    return [lo - pad, hi + pad];
  };
  const [a0, a1] = range(0);
  const [b0, b1] = range(1);
  const xs = new Float64Array(CELLS * CELLS * 2);
  for (let j = 0; j < CELLS; j++)
    for (let i = 0; i < CELLS; i++) {
      xs[(j * CELLS + i) * 2] = a0 + ((i + 0.5) / CELLS) * (a1 - a0);
      xs[(j * CELLS + i) * 2 + 1] = b0 + ((j + 0.5) / CELLS) * (b1 - b0);
    }
  const p = predict(state, xs, CELLS * CELLS).meanY!;
  const points = Array.from({ length: d.n }, (_, i) => [d.x[i * d.stride]!, d.x[i * d.stride + 1]!]);
  const yName = state.graph.vars[node.output]!.name;
  return density2dSvg({
    names: [state.graph.vars[node.inputs[0]!]!.name, state.graph.vars[node.inputs[1]!]!.name],
    domains: [[a0, a1], [b0, b1]],
    values: p,
    nx: CELLS,
    ny: CELLS,
    scale: { domain: [0, 1], colors: [BLUE, '#ffffff', RED] },
    isoline: 0.5,
    points,
    pointColor: (i) => (d.y[i] === 1 ? RED : BLUE),
    // Dark-edged and opaque: a point of either class stands out on its own class's colour.
    pointStyle: { r: 3, opacity: 1, stroke: '#222222', strokeWidth: 0.7 },
    title: `GP classifier: p(${yName} = 1)`,
    note: `shading: p, blue 0, white 0.5, red 1; line: p = 0.5; points: data by ${yName}`,
    width: 600,
    height: 560,
  });
}
