// The integral circuits' nets on WebGPU (runtime/webgpu/nets) in headless Chromium (SwiftShader
// here) against the CPU: the dense kernels against a float64 matmul written here (sizes that are
// not multiples of the 16 x 16 tile, every activation); the materialized circuit parameters
// against the CPU's refreshLatent to 1e-5 relative; a PIC training step's loss (mean
// log-likelihood of a batch) to 1e-5 and the nets' gradients to 1e-4 against the CPU's
// gradients (runtime/learners/adam.ts), over sharing modes, depths, activations, inputs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileOk } from '../helpers/programs.js';
import { Session } from '../../session/session.js';
import type { ModelState } from '../../runtime/state.js';
import { initializeIntegral } from '../../runtime/integral/initialize.js';
import { gradients } from '../../runtime/learners/adam.js';
import { forward } from '../../runtime/evaluate.js';
import { headGradients, materialize, netPlan, packWeights, scatterGradients, type LayerWeights, type NetPlan } from '../../runtime/webgpu/nets/index.js';
import { Rng } from '../../stdlib/random.js';
import { hasChromium, webgpuPage, type PageGlobals, type WebGpuPage } from '../helpers/webgpu-page.js';

interface Shape {
  readonly V: number;
  readonly real: boolean;
  readonly points: number;
  readonly hidden: number;
  readonly layers: number;
  readonly activation: string;
  readonly sharing: string;
  readonly product: string;
  readonly seed: number;
}

function build(s: Shape): { state: ModelState; x: Float64Array; n: number } {
  const names = Array.from({ length: s.V }, (_, i) => `v${i}`);
  const body = `region random_tree(depth = 2, seed = ${s.seed % 5})  inputs ${s.real ? 'Normal' : 'Bernoulli'}  integral gauss_legendre(points = ${s.points})  net mlp(hidden = ${s.hidden}, layers = ${s.layers}, activation = ${s.activation})  sharing ${s.sharing}  product ${s.product}`;
  const program = compileOk(`model M(${names.join(', ')}) = circuit { ${body} }`);
  const vars = names.map((name) => ({ name, type: { kind: s.real ? ('real' as const) : ('bool' as const) } }));
  const state = new Session(program).lower('M', vars, undefined, 'train');
  const rng = new Rng(s.seed);
  const n = 40;
  const x = Float64Array.from({ length: n * s.V }, () => (s.real ? rng.normal() : rng.uniform() < 0.4 ? 1 : 0));
  initializeIntegral(state, x, n, new Float64Array(n).fill(1), 1e-6, rng);
  return { state, x, n };
}

const SHAPES: Shape[] = [
  { V: 5, real: false, points: 7, hidden: 9, layers: 2, activation: 'sin', sharing: 'composite', product: 'hadamard', seed: 11 },
  { V: 4, real: true, points: 5, hidden: 17, layers: 1, activation: 'tanh', sharing: 'none', product: 'kronecker', seed: 23 },
  { V: 6, real: false, points: 6, hidden: 8, layers: 2, activation: 'relu', sharing: 'full', product: 'cp', seed: 37 },
  { V: 3, real: true, points: 4, hidden: 5, layers: 0, activation: 'sin', sharing: 'composite', product: 'hadamard', seed: 41 },
];

const neural = (state: ModelState) => Object.values(state.graph.params).filter((p) => p.param.kind === 'neural' && p.param.grid);
const planOf = (state: ModelState): NetPlan => netPlan(neural(state), (n) => state.param(n).shape);
const wire = (w: LayerWeights[][]) => w.map((g) => g.map((l) => ({ w: Array.from(l.w), b: Array.from(l.b) })));

// In the page: the executor stays there (window.__nx) between forward and backward.
const startNets = async (a: { groups: NetPlan['groups']; weights: { w: number[]; b: number[] }[][] }): Promise<number[][]> => {
  const g = window as unknown as PageGlobals & { __nx?: { destroy(): void; forward(w: unknown): Promise<Float32Array[]> } };
  const m = await g.pmixImport('runtime/webgpu/nets/index.js');
  const { device } = await g.pmixGpu();
  g.__nx?.destroy();
  g.__nx = new m.NetExecutor(device, a.groups);
  const heads = await g.__nx!.forward(a.weights.map((ls) => ls.map((l) => ({ w: new Float32Array(l.w), b: new Float32Array(l.b) }))));
  return heads.map((h) => Array.from(h));
};
const backNets = async (gy: (number[] | null)[]): Promise<({ w: number[]; b: number[] }[] | null)[]> => {
  const g = window as unknown as { __nx: { backward(gy: (Float32Array | undefined)[]): Promise<({ w: Float32Array; b: Float32Array }[] | undefined)[]> } };
  const out = await g.__nx.backward(gy.map((v) => (v ? new Float32Array(v) : undefined)));
  return out.map((ls) => (ls ? ls.map((l) => ({ w: Array.from(l.w), b: Array.from(l.b) })) : null));
};

/** Worst |got - want| / max(|want|, floor) and where. */
function worstRel(got: ArrayLike<number>, want: ArrayLike<number>, floor: number): { err: number; at: number } {
  let err = 0;
  let at = -1;
  for (let i = 0; i < want.length; i++) {
    const e = Math.abs(got[i]! - want[i]!) / Math.max(Math.abs(want[i]!), floor);
    if (!(e <= err)) [err, at] = [e, i];
  }
  return { err, at };
}

const meanLL = (state: ModelState, x: Float64Array, n: number): number => {
  const lp = forward(state, x, n).get(state.graph.root)!;
  return lp.reduce((a, b) => a + b, 0) / n;
};

describe.skipIf(!hasChromium)('the integral circuits nets on WebGPU (headless Chromium)', () => {
  let page: WebGpuPage;
  beforeAll(async () => {
    page = await webgpuPage();
  }, 60_000);
  afterAll(async () => page?.close());

  it('dense layers forward and backward equal a float64 matmul (odd sizes, every activation)', async () => {
    const rng = new Rng(5);
    const rows = 37;
    const dims = [3, 19, 23, 5];
    const acts = ['sin', 'tanh', 'relu'] as const;
    const layers = acts.map((activation, l) => ({ inputs: dims[l]!, outputs: dims[l + 1]!, activation }));
    const x = Array.from({ length: rows * dims[0]! }, () => rng.normal());
    const weights = layers.map((l) => ({ w: Array.from({ length: l.inputs * l.outputs }, () => rng.normal() * 0.7), b: Array.from({ length: l.outputs }, () => rng.normal()) }));
    const gyTop = Array.from({ length: rows * dims[3]! }, () => rng.normal());
    // The reference: float64 forward, then backward by the chain rule, loops written out.
    const act = (a: string, z: number): [number, number] => (a === 'sin' ? [Math.sin(z), Math.cos(z)] : a === 'tanh' ? [Math.tanh(z), 1 - Math.tanh(z) ** 2] : [Math.max(z, 0), z > 0 ? 1 : 0]);
    const ins: number[][] = [x];
    const ders: number[][] = [];
    layers.forEach((l, li) => {
      const y: number[] = [];
      const d: number[] = [];
      for (let r = 0; r < rows; r++) for (let j = 0; j < l.outputs; j++) {
        let z = weights[li]!.b[j]!;
        for (let i = 0; i < l.inputs; i++) z += ins[li]![r * l.inputs + i]! * weights[li]!.w[i * l.outputs + j]!;
        const [a, da] = act(l.activation, z);
        y.push(a);
        d.push(da);
      }
      ins.push(y);
      ders.push(d);
    });
    const wantW: number[][] = [];
    const wantB: number[][] = [];
    let g = gyTop;
    for (let li = layers.length - 1; li >= 0; li--) {
      const l = layers[li]!;
      const gz = g.map((v, k) => v * ders[li]![k]!);
      const gw = new Array<number>(l.inputs * l.outputs).fill(0);
      const gb = new Array<number>(l.outputs).fill(0);
      const gx = new Array<number>(rows * l.inputs).fill(0);
      for (let r = 0; r < rows; r++) for (let j = 0; j < l.outputs; j++) {
        const v = gz[r * l.outputs + j]!;
        gb[j] += v;
        for (let i = 0; i < l.inputs; i++) {
          gw[i * l.outputs + j] += ins[li]![r * l.inputs + i]! * v;
          gx[r * l.inputs + i] += v * weights[li]!.w[i * l.outputs + j]!;
        }
      }
      wantW[li] = gw;
      wantB[li] = gb;
      g = gx;
    }
    const [y] = await page.run(startNets, { groups: [{ rows, x, layers }], weights: [weights] });
    expect(worstRel(y!, ins[3]!, 1).err).toBeLessThan(1e-5);
    const [back] = await page.run(backNets, [gyTop]);
    layers.forEach((_, li) => {
      expect(worstRel(back![li]!.w, wantW[li]!, 1).err, `dW of layer ${li}`).toBeLessThan(1e-5);
      expect(worstRel(back![li]!.b, wantB[li]!, 1).err, `db of layer ${li}`).toBeLessThan(1e-5);
    });
  }, 120_000);

  for (const s of SHAPES) {
    const what = `${s.real ? 'Normal' : 'Bernoulli'} inputs, ${s.layers} x ${s.hidden} ${s.activation}, sharing ${s.sharing}, ${s.product}`;
    it(`materializes the circuit's parameters and takes a PIC training step as the CPU does (${what})`, async () => {
      const { state: cpu, x, n } = build(s);
      const plan = planOf(cpu);
      expect(plan.groups.length).toBeGreaterThan(0);
      const get = (name: string): Float64Array => cpu.values.get(name)!;
      const heads = await page.run(startNets, { groups: plan.groups, weights: wire(packWeights(plan, get)) });
      const values = materialize(plan, heads);
      // The materialized parameters: the CPU's (initializeIntegral ran refreshLatent) to 1e-5 relative.
      for (const [name, v] of values) {
        const { err, at } = worstRel(v, cpu.values.get(name)!, 1e-6);
        expect(err, `${name}[${at}]: ${v[at]} vs ${cpu.values.get(name)![at]}`).toBeLessThan(1e-5);
      }
      // A training step on a batch: the loss at the device's parameters, and the nets' gradients.
      const dev = cpu.clone();
      for (const [name, v] of values) dev.values.get(name)!.set(v);
      const cpuLoss = meanLL(cpu, x, n);
      expect(Math.abs(meanLL(dev, x, n) - cpuLoss) / Math.abs(cpuLoss)).toBeLessThan(1e-5);
      const w = new Float64Array(n).fill(1);
      const want = gradients(cpu, x, n, w);
      const circuitGrads = gradients(dev, x, n, w);
      const gv = new Map([...values.keys()].map((k) => [k, circuitGrads.get(k)!]));
      const back = await page.run(backNets, headGradients(plan, values, gv).map((g) => (g ? Array.from(g) : null)));
      const got = new Map<string, Float64Array>();
      scatterGradients(plan, back.map((b) => b ?? undefined).map((b) => b?.map((l) => ({ w: Float32Array.from(l.w), b: Float32Array.from(l.b) }))), gv, (name) => {
        if (!got.has(name)) got.set(name, new Float64Array(cpu.values.get(name)!.length));
        return got.get(name)!;
      });
      const netParams = new Set(plan.groups.flatMap((g) => [...g.trunk.flatMap((t) => [t.w, t.b]), ...g.members.flatMap((m) => [m.head.w, m.head.b])]));
      expect(got.size).toBe(netParams.size);
      // Relative to each entry, floored at 1e-3 of the largest gradient entry of any net weight:
      // entries far below it are sums that cancel (a simplex head's bias gradient is 0 exactly).
      const scale = [...netParams].reduce((m, k) => want.get(k)!.reduce((mm, v) => Math.max(mm, Math.abs(v)), m), 0);
      expect(scale).toBeGreaterThan(0);
      for (const name of netParams) {
        const wv = want.get(name)!;
        const { err, at } = worstRel(got.get(name)!, wv, 1e-3 * scale);
        expect(err, `d/d ${name}[${at}]: ${got.get(name)![at]} vs ${wv[at]}`).toBeLessThan(1e-4);
      }
    }, 120_000);
  }
});
