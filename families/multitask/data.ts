// The curves a multitask GP sees: the rows grouped by their task id (tasks in increasing id
// order, each task's points in row order), from the fit's rows or from a saved model's
// training points.
import type { Task } from './vem.js';

export interface Curves {
  /** Task ids, increasing. */
  readonly ids: readonly number[];
  readonly tasks: readonly Task[];
  /** Each task's first row (0-based, in the rows given), for messages. */
  readonly firstRow: readonly number[];
}

export function groupCurves(t: ArrayLike<number>, y: ArrayLike<number>, task: ArrayLike<number>, rows?: readonly number[]): Curves {
  const by = new Map<number, { t: number[]; y: number[]; row: number }>();
  for (let i = 0; i < t.length; i++) {
    let g = by.get(task[i]!);
    if (!g) by.set(task[i]!, (g = { t: [], y: [], row: rows ? rows[i]! : i }));
    g.t.push(t[i]!);
    g.y.push(y[i]!);
  }
  const ids = [...by.keys()].sort((a, b) => a - b);
  return { ids, tasks: ids.map((id) => ({ t: by.get(id)!.t, y: by.get(id)!.y })), firstRow: ids.map((id) => by.get(id)!.row) };
}
