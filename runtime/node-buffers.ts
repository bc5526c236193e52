// Per-node arrays of the forward and backward passes: reused between iterations where the
// caller hands the previous result back, and edge-count accumulators per weights parameter.
/** Values (or flows) per node id, n x units each. */
export type NodeValues = Map<string, Float64Array>;
/** Expected edge counts per sum/mixing node (EM statistics). */
export type EdgeCounts = Map<string, Float64Array>;

/**
 * reuse's array for id when it has the length (zeroed unless `zero` is false: the caller
 * overwrites every entry), else a new one: fresh pages cost more than the fill.
 */
export function buffer(reuse: NodeValues | undefined, id: string, len: number, zero = true): Float64Array {
  const old = reuse?.get(id);
  if (old && old.length === len) return zero ? old.fill(0) : old;
  return new Float64Array(len);
}

export function getOrInit(m: EdgeCounts, key: string, size: number): Float64Array {
  let a = m.get(key);
  if (!a) m.set(key, (a = new Float64Array(size)));
  return a;
}
