// The worker program of evaluate-threads.ts (run with { eval: true }; no node: import, so it
// bundles for browsers where it never runs). A worker imports the built runtime (evaluate.js,
// state.js next to evaluate-threads.js), then per job: rebuilds the state when the graph is new,
// copies the job's parameter values in, and runs the single-thread forwardRows / backwardRows
// on its rows of the shared arrays (subarray views, written in place), or for an 'll' job
// logLikelihoodRows into its rows of the root's array; edge counts go to its
// slot of the shared counts array, discrete input layers' level counts to its slot t of the
// leaf counts array (leaf-counts.ts). Control words: see W.

export const W = {
  /** Bumped by the caller for each job. */
  GEN: 0,
  /** Workers done with the current job. */
  DONE: 1,
  /** Workers that imported the runtime. */
  READY: 2,
  /** Workers that could not. */
  FAILED: 3,
  /** Bit t set: the job of participant t threw (the caller redoes those rows). */
  ERR: 4,
  /** A word nobody writes: Atomics.wait on it is a sleep. */
  SLEEP: 5,
} as const;
export const CTL_WORDS = 8;

export const WORKER_SRC = `
(async () => {
  const { workerData, receiveMessageOnPort } = process.getBuiltinModule('node:worker_threads');
  const { ctlBuf, port, evalUrl, stateUrl } = workerData;
  const W = ${JSON.stringify(W)};
  const ctl = new Int32Array(ctlBuf);
  let seen = Atomics.load(ctl, W.GEN);
  let ev, ModelState;
  try {
    ev = await import(evalUrl);
    ModelState = (await import(stateUrl)).ModelState;
  } catch {
    Atomics.add(ctl, W.FAILED, 1);
    Atomics.notify(ctl, W.READY);
    return;
  }
  Atomics.add(ctl, W.READY, 1);
  Atomics.notify(ctl, W.READY);
  let graph = { key: -1, state: null, names: [] };
  const bufs = new Map();
  const view = (key, lo, hi, w) => bufs.get(key).subarray(lo * w, hi * w);
  const keep = (views, out) => { for (const [id, a] of out) { const v = views.get(id); if (v && a !== v) v.set(a); } };
  function run(job) {
    if (job.graph) graph = { key: job.graphKey, state: new ModelState(job.graph), names: job.names };
    if (graph.key !== job.graphKey) throw new Error('graph not sent');
    const st = graph.state;
    let o = 0;
    for (const nm of graph.names) { const v = st.values.get(nm); v.set(job.params.subarray(o, o + v.length)); o += v.length; }
    for (const [k, sab] of job.newBufs) bufs.set(k, new Float64Array(sab));
    const { lo, hi } = job;
    const nodes = new Map(job.nodes.map(([id, key, u]) => [id, view(key, lo, hi, u)]));
    if (job.kind === 'll') {
      ev.logLikelihoodRows(st, view(job.x, lo, hi, job.v), hi - lo, nodes.values().next().value);
    } else if (job.kind === 'fwd') {
      keep(nodes, ev.forwardRows(st, view(job.x, lo, hi, job.v), hi - lo, nodes, job.keep));
    } else {
      const flows = new Map(job.flows.map(([id, key, u]) => [id, view(key, lo, hi, u)]));
      const rw = job.rw >= 0 ? view(job.rw, lo, hi, 1) : undefined;
      const counts = job.counts >= 0 ? new Map() : undefined;
      keep(flows, ev.backwardRows(st, nodes, hi - lo, rw, counts, flows));
      if (counts) {
        const res = bufs.get(job.counts);
        const base = job.slot * job.countsLen;
        res.fill(0, base, base + job.countsLen);
        for (const [nm, off] of job.countsLayout) { const c = counts.get(nm); if (c) res.set(c, base + off); }
      }
      if (job.leaf) {
        const { plan, v } = job.leaf;
        ev.accumulateLeafCounts(plan, view(job.leaf.x, lo, hi, v), v, hi - lo, flows, rw, bufs.get(job.leaf.arr).subarray(job.t * plan.len, (job.t + 1) * plan.len));
      }
    }
    for (const k of [...bufs.keys()]) if (!job.keys.includes(k)) bufs.delete(k);
  }
  for (;;) {
    Atomics.wait(ctl, W.GEN, seen);
    seen = Atomics.load(ctl, W.GEN);
    let job;
    for (;;) {
      const m = receiveMessageOnPort(port);
      if (m) { if (m.message.gen === seen) { job = m.message; break; } continue; }
      Atomics.wait(ctl, W.SLEEP, 0, 0.05);
    }
    if (job.skip) continue; // not a participant of this pass
    try { run(job); } catch { Atomics.or(ctl, W.ERR, 1 << job.t); }
    Atomics.add(ctl, W.DONE, 1);
    Atomics.notify(ctl, W.DONE);
  }
})();
`;
