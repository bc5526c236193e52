// The WebGPU circuit kernels (runtime/webgpu/circuit) in headless Chromium (SwiftShader here)
// against the CPU path: per-row log-likelihoods of the digits circuit (Bernoulli inputs,
// Hadamard products, folded sums) and of a circuit with Normal inputs, Kronecker products and
// missing cells to 1e-5 relative; one EM iteration's parameters (device statistics, host
// M-step) equal the CPU iteration's to 1e-4; the log-likelihood never falls over device epochs.
// Batches smaller than the rows, with a partial last batch, so batching is exercised too.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { circuitPlan, deviceProgram, mStepFromStats, packParams, toLogLikelihoods } from '../../runtime/webgpu/circuit/index.js';
import { logDensityRows } from '../../runtime/evaluate.js';
import type { ModelState } from '../../runtime/state.js';
import { hasChromium, webgpuPage, type PageGlobals, type WebGpuPage } from '../helpers/webgpu-page.js';
import { cpuEmIteration, digitsCircuit, digitsRows, normalCircuit } from '../helpers/gpu-circuits.js';
import { randomCircuit } from '../helpers/random-circuits.js';
import { deviceCircuitProblem } from '../../runtime/webgpu/circuit/index.js';
import { ModelState as State } from '../../runtime/state.js';
import { Rng } from '../../stdlib/random.js';

/** Random rows over the graph's variables (levels or reals), some cells missing. */
function randomRows(state: ModelState, n: number, seed: number): Float64Array {
  const rng = new Rng(seed);
  const vars = state.graph.vars;
  return Float64Array.from({ length: n * vars.length }, (_, k) => {
    const t = vars[k % vars.length]!.type;
    if (rng.uniform() < 0.1) return NaN;
    return t.kind === 'real' ? 2 * rng.normal() : rng.int(t.kind === 'categorical' ? t.levels.length : 2);
  });
}

interface Job {
  program: ReturnType<typeof deviceProgram>;
  prm: number[];
  x: (number | null)[];
  n: number;
  rw: number[];
}

/** Sends the program, parameters and rows to the page; the executor stays there (window.__ex). */
function job(state: ModelState, x: Float64Array, n: number, B: number, rw?: Float64Array): { job: Job; plan: ReturnType<typeof circuitPlan> } {
  const plan = circuitPlan(state, B);
  return {
    plan,
    job: {
      program: deviceProgram(plan), prm: Array.from(packParams(state, plan)),
      x: Array.from(x, (v) => (Number.isNaN(v) ? null : v)), n, rw: Array.from(rw ?? new Float64Array(n).fill(1)),
    },
  };
}

const start = async (j: Job): Promise<void> => {
  const g = window as unknown as PageGlobals & { __ex?: { destroy(): void } };
  const c = await g.pmixImport('runtime/webgpu/circuit/exec.js');
  const { device } = await g.pmixGpu();
  g.__ex?.destroy();
  g.__ex = new c.CircuitExecutor(device, j.program, { x: j.x.map((v) => (v === null ? NaN : v)), n: j.n, rowWeights: j.rw }, new Float32Array(j.prm));
};
const lls = async (): Promise<number[]> => Array.from(await (window as unknown as { __ex: { logLikelihoodRows(): Promise<Float32Array> } }).__ex.logLikelihoodRows());
const estep = async (): Promise<{ ll: number[]; stats: number[] }> => {
  const r = await (window as unknown as { __ex: { eStep(): Promise<{ ll: Float32Array; stats: Float32Array }> } }).__ex.eStep();
  return { ll: Array.from(r.ll), stats: Array.from(r.stats) };
};
const setParams = async (prm: number[]): Promise<void> => (window as unknown as { __ex: { setParams(p: Float32Array): void } }).__ex.setParams(new Float32Array(prm));

function expectRelClose(got: ArrayLike<number>, want: ArrayLike<number>, rel: number, what: string): void {
  expect(got.length).toBe(want.length);
  let worst = 0;
  let at = -1;
  for (let i = 0; i < want.length; i++) {
    const e = got[i] === want[i] ? 0 : Math.abs(got[i]! - want[i]!) / Math.max(1, Math.abs(want[i]!));
    if (!(e <= worst)) {
      worst = e;
      at = i;
    }
  }
  expect(worst, `${what}: worst at ${at}: ${got[at]} vs ${want[at]}`).toBeLessThanOrEqual(rel);
}

function expectParamsClose(a: ModelState, b: ModelState, tol: number): void {
  for (const [name, v] of a.values) expectRelClose(b.values.get(name)!, v, tol, name);
}

describe.skipIf(!hasChromium)('WebGPU circuit kernels in headless Chromium', () => {
  let page: WebGpuPage;
  beforeAll(async () => {
    page = await webgpuPage();
  }, 60_000);
  afterAll(async () => page?.close());

  it('compiles every kernel of both programs without a WGSL or pipeline error', async () => {
    const { names } = digitsRows(10);
    const kernels = [digitsCircuit(names), normalCircuit(10).state].flatMap((s) => {
      const p = deviceProgram(circuitPlan(s, 64));
      return [...p.forward, ...p.backward].map((k) => ({ label: k.label, wgsl: k.wgsl }));
    });
    const problems = await page.run(async (ks: { label: string; wgsl: string }[]) => {
      const { device } = await (window as unknown as PageGlobals).pmixGpu();
      const out: string[] = [];
      for (const k of ks) {
        const m = device.createShaderModule({ code: k.wgsl });
        for (const msg of (await m.getCompilationInfo()).messages) out.push(`${k.label}: ${msg.type} ${msg.lineNum}:${msg.linePos} ${msg.message}`);
        device.pushErrorScope('validation');
        device.createComputePipeline({ layout: 'auto', compute: { module: m, entryPoint: 'main' } });
        const e = await device.popErrorScope();
        if (e) out.push(`${k.label}: ${e.message}`);
      }
      return out;
    }, kernels);
    expect(kernels.length).toBeGreaterThan(10);
    expect(problems).toEqual([]);
  }, 120_000);

  it('gives the digits circuit per-row log-likelihoods of the CPU path to 1e-5 relative', async () => {
    const { x, n, names } = digitsRows(700);
    const state = digitsCircuit(names);
    const { job: j } = job(state, x, n, 256);
    await page.run(start, j);
    const got = toLogLikelihoods(await page.run(lls, undefined));
    expectRelClose(got, logDensityRows(state, x, n), 1e-5, 'digits log-likelihood');
  }, 120_000);

  it('gives a Normal-input Kronecker circuit with missing cells the CPU log-likelihoods to 1e-5 relative', async () => {
    const { state, x, n } = normalCircuit(600);
    const { job: j } = job(state, x, n, 128);
    await page.run(start, j);
    const got = toLogLikelihoods(await page.run(lls, undefined));
    expectRelClose(got, logDensityRows(state, x, n), 1e-5, 'normal log-likelihood');
  }, 120_000);

  it('one EM iteration of the digits circuit on the device equals the CPU iteration to 1e-4', async () => {
    const { x, n, names } = digitsRows(600);
    const cpu = digitsCircuit(names, 16);
    const dev = cpu.clone();
    const rw = Float64Array.from({ length: n }, (_, i) => 0.5 + (i % 3) / 2);
    const { job: j, plan } = job(dev, x, n, 200, rw);
    await page.run(start, j);
    const { ll, stats } = await page.run(estep, undefined);
    const cpuLL = cpuEmIteration(cpu, x, n, rw, 1e-6, 0.01);
    const tot = rw.reduce((a, b) => a + b, 0);
    const devLL = toLogLikelihoods(ll).reduce((s, v, i) => s + rw[i]! * v, 0) / tot;
    expect(Math.abs(devLL - cpuLL) / Math.abs(cpuLL)).toBeLessThan(1e-5);
    mStepFromStats(dev, plan, Float32Array.from(stats), { regCovar: 1e-6, smoothing: 0.01 }, 1);
    expectParamsClose(cpu, dev, 1e-4);
  }, 120_000);

  it('one EM iteration of the Normal circuit (complete rows) equals the CPU iteration to 1e-4', async () => {
    const { state: cpu, x, n } = normalCircuit(500, 7, 0);
    const dev = cpu.clone();
    const rw = new Float64Array(n).fill(1);
    const { job: j, plan } = job(dev, x, n, 128, rw);
    await page.run(start, j);
    const { stats } = await page.run(estep, undefined);
    cpuEmIteration(cpu, x, n, rw, 1e-6, 0);
    mStepFromStats(dev, plan, Float32Array.from(stats), { regCovar: 1e-6, smoothing: 0 }, 1);
    expectParamsClose(cpu, dev, 1e-4);
  }, 120_000);

  it('random circuits (DAGs, mixing nodes, Kronecker, zero weights and probabilities): log-likelihoods to 1e-5, one EM iteration to 1e-4', async () => {
    let ran = 0;
    const kinds = new Set<string>();
    for (let seed = 1; seed <= 16; seed++) {
      const graph = randomCircuit(seed * 7919, { vars: 3 + (seed % 4), kind: seed % 3 === 0 ? 'continuous' : 'discrete', maxDepth: 3 });
      const state = new State(graph);
      if (deviceCircuitProblem(state)) continue;
      ran++;
      for (const nd of graph.nodes) kinds.add(nd.kind === 'product' ? nd.mode : nd.kind === 'input' ? nd.dist : nd.kind);
      const parents = new Map<string, number>();
      for (const nd of graph.nodes) if ('children' in nd) for (const c of nd.children) parents.set(c, (parents.get(c) ?? 0) + 1);
      if ([...parents.values()].some((k) => k > 1)) kinds.add('shared child');
      const n = 150;
      const x = randomRows(state, n, seed);
      const want = logDensityRows(state, x, n);
      const { job: j } = job(state, x, n, 64);
      await page.run(start, j);
      expectRelClose(toLogLikelihoods(await page.run(lls, undefined)), want, 1e-5, `seed ${seed} log-likelihood`);
      // EM on the rows the circuit gives a density (a zero-density row stops the CPU's EM).
      const keep = [...want.keys()].filter((i) => Number.isFinite(want[i]!));
      if (keep.length < 20) continue;
      const V = graph.vars.length;
      const xs = Float64Array.from(keep.flatMap((i) => Array.from(x.subarray(i * V, (i + 1) * V))));
      const cpu = state.clone();
      const dev = state.clone();
      const { job: j2, plan: plan2 } = job(dev, xs, keep.length, 64);
      await page.run(start, j2);
      const { stats } = await page.run(estep, undefined);
      const missingNormal = graph.nodes.some((nd) => nd.kind === 'input' && nd.dist === 'Normal') && xs.some(Number.isNaN);
      if (missingNormal) continue; // the CPU M-step imputes a Normal's missing cells; the device path declines such rows
      cpuEmIteration(cpu, xs, keep.length, new Float64Array(keep.length).fill(1), 1e-6, 0.01);
      mStepFromStats(dev, plan2, Float32Array.from(stats), { regCovar: 1e-6, smoothing: 0.01 }, 1);
      expectParamsClose(cpu, dev, 1e-4);
    }
    expect(ran).toBeGreaterThanOrEqual(6);
    expect([...kinds].sort()).toEqual(expect.arrayContaining(['Bernoulli', 'Categorical', 'hadamard', 'kronecker', 'mixing', 'shared child', 'sum']));
  }, 300_000);

  it('never lowers the log-likelihood over device EM epochs', async () => {
    const { x, n, names } = digitsRows(400);
    const state = digitsCircuit(names, 8, 11);
    const rw = new Float64Array(n).fill(1);
    const { job: j, plan } = job(state, x, n, 128, rw);
    await page.run(start, j);
    const trace: number[] = [];
    for (let it = 1; it <= 5; it++) {
      const { ll, stats } = await page.run(estep, undefined);
      trace.push(toLogLikelihoods(ll).reduce((a, b) => a + b, 0) / n);
      mStepFromStats(state, plan, Float32Array.from(stats), { regCovar: 1e-6, smoothing: 0.01 }, it);
      await page.run(setParams, Array.from(packParams(state, plan)));
    }
    for (let k = 1; k < trace.length; k++) expect(trace[k]!, trace.join(', ')).toBeGreaterThanOrEqual(trace[k - 1]! - 1e-5 * Math.abs(trace[k - 1]!));
    expect(trace[trace.length - 1]!).toBeGreaterThan(trace[0]! + 0.5);
  }, 120_000);
});
