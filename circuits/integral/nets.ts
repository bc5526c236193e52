// The small nets of an integral circuit as IR parameters, and functional sharing: which
// functions name the same layers. none: every function its own net; composite: functions of
// one group (a layer of the circuit) share the hidden layers and keep their own output layer;
// full: they share the whole net (so they are one function).
import type { DenseLayer, IRParam, LatentFn, SourceRef } from '../../ir/types.js';

export type Sharing = 'none' | 'composite' | 'full';
export const SHARINGS: readonly Sharing[] = ['none', 'composite', 'full'];

export interface NetSpec {
  readonly hidden: number;
  /** Hidden layers (0: an affine function of the latents). */
  readonly layers: number;
  readonly activation: 'tanh' | 'relu' | 'sin';
}

/** Dense layer parameters: weights [inputs, outputs], biases [outputs]; filled by the fit (init 'data'). */
function dense(add: (p: IRParam) => void, prefix: string, inputs: number, outputs: number, activation: DenseLayer['activation'], source?: SourceRef): DenseLayer {
  const w = `${prefix}.w`;
  const b = `${prefix}.b`;
  add({ name: w, shape: [inputs, outputs], param: { kind: 'identity' }, value: new Array<number>(inputs * outputs).fill(0), fixed: false, init: 'data', ...(source ? { source } : {}) });
  add({ name: b, shape: [outputs], param: { kind: 'identity' }, value: new Array<number>(outputs).fill(0), fixed: false, init: 'data', ...(source ? { source } : {}) });
  return { w, b, activation };
}

/** Hands out net functions under a sharing mode, creating their layers as parameters. */
export class NetPool {
  private readonly trunks = new Map<string, DenseLayer[]>();
  private readonly heads = new Map<string, { head: DenseLayer; outputs: number }>();

  constructor(
    private readonly sharing: Sharing,
    private readonly add: (p: IRParam) => void,
    private readonly source?: SourceRef,
  ) {}

  /** Parameter count of a net with these sizes (for size checks before creating it). */
  static size(spec: NetSpec, inputs: number, outputs: number): number {
    let total = 0;
    let width = inputs;
    for (let l = 0; l < spec.layers; l++) {
      total += width * spec.hidden + spec.hidden;
      width = spec.hidden;
    }
    return total + width * outputs + outputs;
  }

  /**
   * The function for one parameter: `group` names the layer it belongs to (shared under
   * composite and full sharing), `own` the parameter itself.
   */
  fn(spec: NetSpec, group: string, own: string, inputs: number, outputs: number): LatentFn {
    const trunkKey = this.sharing === 'none' ? own : `${group}/${inputs}`;
    let trunk = this.trunks.get(trunkKey);
    if (!trunk) {
      trunk = [];
      let width = inputs;
      for (let l = 0; l < spec.layers; l++) {
        trunk.push(dense(this.add, `${trunkKey.replace(/\//g, '.')}.l${l}`, width, spec.hidden, spec.activation, this.source));
        width = spec.hidden;
      }
      this.trunks.set(trunkKey, trunk);
    }
    const width = spec.layers ? spec.hidden : inputs;
    const headKey = this.sharing === 'full' ? `${group}/${inputs}/${outputs}` : own;
    let head = this.heads.get(headKey);
    if (!head) {
      head = { head: dense(this.add, `${headKey.replace(/\//g, '.')}.out`, width, outputs, 'linear', this.source), outputs };
      this.heads.set(headKey, head);
    }
    return { kind: 'net', layers: [...trunk, head.head] };
  }
}
