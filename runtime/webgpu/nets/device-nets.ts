/// <reference types="@webgpu/types" />
// An integral circuit's nets on the device, in step with its state: refresh() evaluates every
// net at its quadrature grid on the device and writes the materialized parameters into the
// state (the CPU's refreshLatent, asynchronously); gradients() carries d/d(neural parameters)
// on to the nets' weights through the device's reverse pass at the last refresh's trace (the
// CPU's latentGradients). Constant functions (no net) stay on the CPU (latent-fn.ts).
import type { ModelState } from '../../state.js';
import { latentValues, TrunkCache, type LatentValues } from '../../../circuits/integral/latent-fn.js';
import { NetExecutor } from './exec.js';
import { headGradients, materialize, netPlan, packWeights, scatterGradients, type NetPlan } from './plan.js';

/** The plan of a state's materialized neural parameters. */
export function statePlan(state: ModelState): NetPlan {
  const params = Object.values(state.graph.params).filter((p) => p.param.kind === 'neural' && p.param.grid);
  return netPlan(params, (n) => state.param(n).shape);
}

export class DeviceNets {
  readonly plan: NetPlan;
  private readonly exec: NetExecutor;
  private others = new Map<string, LatentValues>();
  /** The natural values of the last refresh (gradients are chained to free values at them). */
  private values = new Map<string, Float64Array>();
  private fresh = false;

  /** plan: statePlan(state) unless the caller made it already. */
  constructor(device: GPUDevice, private readonly state: ModelState, plan: NetPlan = statePlan(state)) {
    this.plan = plan;
    this.exec = new NetExecutor(device, this.plan.groups);
  }

  private get = (name: string): Float64Array => this.state.values.get(name)!;

  /** Recomputes every neural parameter's values in the state (nets on the device). */
  async refresh(): Promise<void> {
    const heads = await this.exec.forward(packWeights(this.plan, this.get));
    this.values = materialize(this.plan, heads);
    for (const [name, v] of this.values) this.state.values.get(name)!.set(v);
    const cache = new TrunkCache();
    this.others = new Map(this.plan.others.map((name) => [name, latentValues(this.state.param(name), this.get, (n) => this.state.param(n).shape, cache)]));
    for (const [name, lv] of this.others) this.state.values.get(name)!.set(lv.v);
    this.fresh = true;
  }

  /**
   * Adds, into grads, the gradient w.r.t. the functions' parameters implied by grads of the
   * neural parameters, at the last refresh (call refresh after every change of the nets' weights).
   */
  async gradients(grads: Map<string, Float64Array>): Promise<void> {
    if (!this.fresh) await this.refresh();
    const sink = (name: string): Float64Array => {
      let g = grads.get(name);
      if (!g) grads.set(name, (g = new Float64Array(this.state.values.get(name)!.length)));
      return g;
    };
    // The neural parameters' own gradients, read before the sink adds the functions' entries.
    const gv = new Map([...this.values.keys(), ...this.others.keys()].flatMap((n) => (grads.has(n) ? [[n, Float64Array.from(grads.get(n)!)] as const] : [])));
    for (const [name, lv] of this.others) {
      const g = gv.get(name);
      if (g) lv.backward(g, sink);
    }
    const layerGrads = await this.exec.backward(headGradients(this.plan, this.values, gv));
    scatterGradients(this.plan, layerGrads, gv, sink);
  }

  /** The weights changed (a learner step): the next gradients need a refresh first. */
  stale(): void {
    this.fresh = false;
  }

  destroy(): void {
    this.exec.destroy();
  }
}
