// Drivers of the learners' step generators: to the end in one go (the synchronous API), or
// yielding to the event loop every few milliseconds so that signal handlers (Ctrl-C) and
// timers run during a long fit, saving a checkpoint now and then.
import type { FitCheckpoint } from './types.js';

/** One turn of the event loop: setImmediate in Node (signals are handled), a 0 ms timer elsewhere. */
const tick = (): Promise<void> => new Promise((resolve) => (typeof setImmediate === 'function' ? setImmediate(resolve) : setTimeout(resolve, 0)));

export type Steps<T> = Generator<FitCheckpoint, T, void>;

// A step may start device work (a WebGPU E-step) and yield until it is done: it hands the
// promise to awaitBeforeNext before yielding, and runAsync awaits it before the next step.
// Only steps driven by runAsync may do so (drivenAsync()); synchronous fits stay on the CPU.
let pending: Promise<unknown> | undefined;
let asyncDepth = 0;

/** Whether the step now running is driven by runAsync (so it may wait on device work). */
export const drivenAsync = (): boolean => asyncDepth > 0;

/** Makes runAsync wait for `p` before the next step (call right before yielding). */
export function awaitBeforeNext(p: Promise<unknown>): void {
  if (!drivenAsync()) throw new Error('internal: a step waited on device work under the synchronous driver');
  pending = p;
}

/** Inside a step driven by runAsync: yields until `p` settles, then returns its value (or throws its error). */
export function* waitFor<T>(p: Promise<T>): Generator<void, T, void> {
  let out: { ok: true; v: T } | { ok: false; e: unknown } | undefined;
  awaitBeforeNext(p.then((v) => void (out = { ok: true, v }), (e: unknown) => void (out = { ok: false, e })));
  yield;
  if (!out) throw new Error('internal: device work was not awaited');
  if (!out.ok) throw out.e;
  return out.v;
}

function takePending(): Promise<unknown> | undefined {
  const p = pending;
  pending = undefined;
  return p;
}

export function runToEnd<T>(steps: Steps<T>): T {
  const outer = asyncDepth;
  asyncDepth = 0;
  try {
    for (;;) {
      const r = steps.next();
      if (r.done) return r.value;
    }
  } finally {
    asyncDepth = outer;
  }
}

function nextAsync<T>(steps: Steps<T>): IteratorResult<FitCheckpoint, T> {
  asyncDepth++;
  try {
    return steps.next();
  } finally {
    asyncDepth--;
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
    const r = nextAsync(steps);
    const wait = takePending();
    if (wait) {
      await wait;
      lastYield = Date.now();
    }
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
