// Linear (HMM-like) region graph: region {v_i..v_n} splits into ({v_i}, {v_i+1..v_n}).
import { RegionGraphBuilder, checkVars, type RegionGraph } from './types.js';

export function linear(vars: readonly number[]): RegionGraph {
  checkVars(vars, 'linear');
  const b = new RegionGraphBuilder();
  // Build from the tail so each chain region follows its children.
  let tail = b.region([vars[vars.length - 1]!]);
  for (let i = vars.length - 2; i >= 0; i--) {
    const head = b.region([vars[i]!]);
    tail = b.merge([head, tail]);
  }
  return b.build();
}
