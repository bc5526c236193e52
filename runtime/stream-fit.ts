// When and how a fit streams its data from the file instead of loading it (docs/fitting.md,
// "Data larger than memory"): `em(stream = true)` always streams, `stream = false` never does,
// and without the argument plain full-batch EM streams when loading the file would not fit
// the memory limit, or when the file is too large to be read as one string at all.
import type { FitSettings } from '../compiler/program.js';
import { estimateCost, formatBytes } from '../compiler/cost.js';
import type { IRGraph } from '../ir/types.js';
import { hostFs } from '../platform/host.js';
import type { DataSpec } from './data/csv.js';
import type { CsvStream } from './data/csv-stream.js';
import { PmixError } from './errors.js';
import { STREAM_DEFAULTS, type StreamBatch, type StreamSource } from './learners/stream-em.js';
import { ONLINE_DEFAULTS } from './learners/online-em.js';

/** Larger files always stream: V8 cannot hold more than ~512 MiB of text in one string (loadCsv reads the file whole). */
export const MAX_LOADED_TEXT = 2 ** 29 - 24;
/** Bytes per cell that loading keeps besides the text and the values (csv-parse's strings and arrays). */
const BYTES_PER_PARSED_CELL = 40;

export interface StreamChoice {
  readonly stream: boolean;
  /** Why, in words (for `pmix check --cost` and messages). */
  readonly reason: string;
}

/** Whether a fit's settings ask for mini-batch EM (minibatch-em.ts), which never streams. */
function miniBatch(s: FitSettings): boolean {
  return s.method === 'em' && ((s.batch ?? 0) > 0 || (s.validation ?? 0) > 0);
}

/**
 * Decides whether a fit of data set `spec` streams. `graph` lowers the model (for its per-row
 * cost) or returns undefined; `limit` is the session's memory limit in bytes.
 */
export function chooseStreaming(spec: DataSpec | undefined, settings: FitSettings, graph: () => IRGraph | undefined, limit: number | undefined): StreamChoice {
  // Online EM reads like EM: from memory when the data fits, else streamed from the file (in its order).
  if (settings.method !== 'em' && settings.method !== 'incremental' && settings.method !== 'online') return { stream: false, reason: `${settings.method} loads the data` };
  const asked = settings.method === 'em' || settings.method === 'incremental' ? settings.stream : undefined;
  if (asked === true && miniBatch(settings)) {
    throw new PmixError('em(stream = true) is exact full-batch EM over the whole file; it does not combine with mini-batch EM (batch, step_size, validation)', 'bad-value', 'drop stream = true for mini-batch EM, or drop batch/validation and set the chunk size with chunk = N');
  }
  if (asked === false) return { stream: false, reason: 'stream = false' };
  if (asked === true) return { stream: true, reason: 'stream = true' };
  if (miniBatch(settings) || !spec) return { stream: false, reason: 'mini-batch EM loads the data' };
  const fs = hostFs();
  let bytes: number;
  try {
    bytes = fs ? fs.statSync(spec.path).size : 0;
  } catch {
    return { stream: false, reason: 'the file cannot be read' };
  }
  if (bytes > MAX_LOADED_TEXT) return { stream: true, reason: `the file (${formatBytes(bytes)}) is larger than one string can hold (${formatBytes(MAX_LOADED_TEXT)})` };
  if (limit === undefined) return { stream: false, reason: 'no memory limit' };
  const load = loadEstimate(spec.path, bytes, spec.columns.length, graph);
  if (load <= limit) return { stream: false, reason: `loading it needs about ${formatBytes(load)} (limit ${formatBytes(limit)})` };
  // Streaming only helps when the streamed fit fits: else the fit is refused with the estimate.
  let g: IRGraph | undefined;
  try {
    g = graph();
  } catch {
    g = undefined;
  }
  const streamed = g ? streamFitBytes(g, settings) : 0;
  if (!g || streamed > limit) return { stream: false, reason: `neither loading (${formatBytes(load)}) nor streaming (${g ? formatBytes(streamed) : 'unknown'}) fits the limit of ${formatBytes(limit)}` };
  return { stream: true, reason: `loading it would need about ${formatBytes(load)}, over the limit of ${formatBytes(limit)}; streaming needs about ${formatBytes(streamed)}` };
}

/**
 * Bytes of a streamed fit (compiler/cost.ts): the parameters and their copies, one chunk's
 * per-row buffers and the initialization sample with its per-row buffers; independent of
 * the number of rows in the file.
 */
export function streamFitBytes(graph: IRGraph, settings: FitSettings): number {
  const c = estimateCost(graph, 'em');
  const chunk = (settings.method === 'em' || settings.method === 'incremental' ? settings.chunk : settings.method === 'online' ? settings.batch : undefined) ?? STREAM_DEFAULTS.chunk;
  // The incremental mixture holds back only its init_rows (to measure the scale).
  const sample = settings.method === 'online' ? (settings.initRows ?? ONLINE_DEFAULTS.initRows) : ((settings.method === 'em' || settings.method === 'incremental' ? settings.initRows : undefined) ?? STREAM_DEFAULTS.initRows);
  return c.parameterBytes + c.bytesPerRow * (chunk + sample);
}

/**
 * Bytes to load the file and fit in memory: the text, the parsed cells, the values and the
 * fit's per-row buffers (compiler/cost.ts), with the row count estimated from the first MiB.
 */
export function loadEstimate(path: string, bytes: number, columns: number, graph: () => IRGraph | undefined): number {
  const fs = hostFs()!;
  const probe = new Uint8Array(Math.min(bytes, 1 << 20));
  const fd = fs.openSync(path, 'r');
  let got = 0;
  try {
    got = fs.readSync(fd, probe, 0, probe.length, 0);
  } finally {
    fs.closeSync(fd);
  }
  let lines = 0;
  for (let i = 0; i < got; i++) if (probe[i] === 10) lines++;
  const rows = got > 0 ? Math.ceil((bytes * Math.max(lines, 1)) / got) : 0;
  let fields = columns;
  const header = new TextDecoder().decode(probe.subarray(0, Math.max(0, probe.indexOf(10)))).split(',').length;
  fields = Math.max(fields, header);
  let g: IRGraph | undefined;
  try {
    g = graph();
  } catch {
    g = undefined;
  }
  const fit = g ? estimateCost(g, 'em').bytesPerRow * rows : 0;
  return bytes + rows * fields * BYTES_PER_PARSED_CELL + rows * columns * 8 + fit;
}

/** The chunks of a CSV stream as the model's variables (in order) and row weights. */
export function csvSource(stream: CsvStream, vars: readonly string[], weights: string | undefined): StreamSource {
  const cols = vars.map((nm) => stream.columns.findIndex((c) => c.name === nm));
  const wcol = weights === undefined ? -1 : stream.columns.findIndex((c) => c.name === weights);
  const W = stream.columns.length;
  const V = cols.length;
  return {
    *batches(size): Generator<StreamBatch, void, void> {
      let x = new Float64Array(0);
      let w = new Float64Array(0);
      let any = false;
      for (const b of stream.batches(size)) {
        if (x.length < b.n * V) x = new Float64Array(b.n * V);
        if (w.length < b.n) w = new Float64Array(b.n);
        for (let i = 0; i < b.n; i++) {
          for (let j = 0; j < V; j++) x[i * V + j] = b.values[i * W + cols[j]!]!;
          if (wcol < 0) w[i] = 1;
          else {
            const v = b.values[i * W + wcol]!;
            if (Number.isNaN(v) || v < 0) throw new PmixError(`${stream.source}: row ${b.first + i + 1}, column '${weights}': a sample weight must be a non-negative number`, 'bad-data');
            w[i] = v;
            if (v > 0) any = true;
          }
        }
        yield { x: x.subarray(0, b.n * V), n: b.n, weights: w.subarray(0, b.n), first: b.first };
      }
      if (wcol >= 0 && !any && (stream.rows ?? 0) > 0) throw new PmixError(`${stream.source}: every weight in column '${weights}' is 0`, 'bad-data');
    },
  };
}
