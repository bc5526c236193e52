// Curves drawn from a known cluster-specific multitask GP: 3 cluster mean curves, each task its
// cluster's curve plus an RBF-GP deviation and Gaussian noise, on a grid of 16 points in [0, 10].
import { Rng } from '../../stdlib/random.js';

export const MEANS = [(t: number): number => 3 * Math.sin(t / 1.5), (t: number): number => 0.6 * t - 3, (t: number): number => 2 - 0.16 * (t - 5) ** 2];
export const GRID = Array.from({ length: 16 }, (_, j) => (10 * j) / 15);
export interface Kern {
  readonly variance: number;
  readonly lengthscale: number;
}
export const k = (kk: Kern, a: number, b: number): number => kk.variance * Math.exp(-((a - b) ** 2) / (2 * kk.lengthscale ** 2));

export function cholesky(A: number[][]): number[][] {
  const n = A.length;
  const L = A.map(() => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = A[i]![j]!;
      for (let p = 0; p < j; p++) s -= L[i]![p]! * L[j]![p]!;
      L[i]![j] = i === j ? Math.sqrt(s + 1e-10) : s / L[j]![j]!;
    }
  }
  return L;
}

/** One task of cluster c: its latent curve on the grid and noisy observations; `means` overrides the cluster curves. */
export function drawTask(c: number, rng: Rng, task: Kern, noise: number, means: readonly ((t: number) => number)[] = MEANS): { latent: number[]; y: number[] } {
  const L = cholesky(GRID.map((a) => GRID.map((b) => k(task, a, b))));
  const z = GRID.map(() => rng.normal());
  const latent = GRID.map((t, i) => means[c]!(t) + L[i]!.reduce((s, v, j) => s + v * z[j]!, 0));
  return { latent, y: latent.map((v) => v + Math.sqrt(noise) * rng.normal()) };
}

/** n tasks (cluster i % 3), each seeing about 3 in 4 grid points. */
export function drawTasks(n: number, seed: number, task: Kern, noise: number, means?: readonly ((t: number) => number)[]): { tasks: { t: number[]; y: number[] }[]; truth: number[] } {
  const rng = new Rng(seed);
  const tasks: { t: number[]; y: number[] }[] = [];
  const truth: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = i % 3;
    const { y } = drawTask(c, rng, task, noise, means);
    const keep = GRID.map((_, j) => j).filter(() => rng.uniform() < 0.75);
    tasks.push({ t: keep.map((j) => GRID[j]!), y: keep.map((j) => y[j]!) });
    truth.push(c);
  }
  return { tasks, truth };
}
