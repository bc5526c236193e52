// Drivers of the learners' step generators: to the end in one go (the synchronous API), or
// yielding to the event loop every few milliseconds so that signal handlers (Ctrl-C) and
// timers run during a long fit, saving a checkpoint now and then.
import type { FitCheckpoint } from './types.js';

/** One turn of the event loop: setImmediate in Node (signals are handled), a 0 ms timer elsewhere. */
const tick = (): Promise<void> => new Promise((resolve) => (typeof setImmediate === 'function' ? setImmediate(resolve) : setTimeout(resolve, 0)));

export type Steps<T> = Generator<FitCheckpoint, T, void>;

// Device work (WebGPU) is asynchronous: a step that started some hands its promise over with
// awaitBeforeNextStep and yields; the async driver awaits it before resuming the steps. Steps
// check drivenAsync() before taking such a path (the innermost driver decides).
let asyncDriver = false;
let pending: Promise<unknown> | undefined;

/** True while the innermost driver running steps is runAsync. */
export const drivenAsync = (): boolean => asyncDriver;

/** Called by a step just before it yields: the async driver awaits p before the next step. */
export function awaitBeforeNextStep(p: Promise<unknown>): void {
  pending = p;
}

/** Inside a step driven by runAsync: yields until `p` settles, then returns its value (or throws its error). */
export function* waitFor<T>(p: Promise<T>): Generator<void, T, void> {
  if (!drivenAsync()) throw new Error('internal: a step waited on device work under the synchronous driver');
  let out: { ok: true; v: T } | { ok: false; e: unknown } | undefined;
  awaitBeforeNextStep(p.then((v) => void (out = { ok: true, v }), (e: unknown) => void (out = { ok: false, e })));
  yield;
  if (!out) throw new Error('internal: device work was not awaited');
  if (!out.ok) throw out.e;
  return out.v;
}

export function runToEnd<T>(steps: Steps<T>): T {
  const outer = asyncDriver;
  asyncDriver = false;
  try {
    for (;;) {
      const r = steps.next();
      if (r.done) return r.value;
    }
  } finally {
    asyncDriver = outer;
  }
}

export interface DriveOptions {
  /** Hand control to the event loop at least this often (ms); default 20. */
  readonly yieldEveryMs?: number;
  /** Called with the latest checkpoint at most this often (ms). */
  readonly checkpointEveryMs?: number;
  readonly onCheckpoint?: (c: FitCheckpoint) => void;
  /** Also called each time the rows seen (FitCheckpoint.rows, online EM) pass another multiple of this. */
  readonly checkpointEveryRows?: number;
}

export async function runAsync<T>(steps: Steps<T>, opts: DriveOptions = {}): Promise<T> {
  const yieldEvery = opts.yieldEveryMs ?? 20;
  let lastYield = Date.now();
  let lastCheckpoint = Date.now();
  const everyRows = opts.checkpointEveryRows;
  let nextRows = everyRows;
  for (;;) {
    const outer = asyncDriver;
    asyncDriver = true;
    let r: IteratorResult<FitCheckpoint, T>;
    try {
      r = steps.next();
    } finally {
      asyncDriver = outer;
    }
    const wait = pending;
    pending = undefined;
    if (wait) await wait;
    if (r.done) return r.value;
    const now = Date.now();
    const rows = r.value.rows;
    if (opts.onCheckpoint && everyRows && nextRows !== undefined && rows !== undefined && rows >= nextRows) {
      opts.onCheckpoint(r.value);
      nextRows = (Math.floor(rows / everyRows) + 1) * everyRows;
    } else if (opts.onCheckpoint && now - lastCheckpoint >= (opts.checkpointEveryMs ?? Infinity)) {
      opts.onCheckpoint(r.value);
      lastCheckpoint = Date.now();
    }
    if (now - lastYield >= yieldEvery) {
      await tick();
      lastYield = Date.now();
    }
  }
}
