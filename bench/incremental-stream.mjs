// Bounded memory of the incremental Gaussian mixture streaming a large CSV:
//   node bench/incremental-stream.mjs [--rows 10000000] [--d 4] [--k 8] [--max-k 16] [--chunk 65536]
// Generates (once, into $TMPDIR/pmix-bench-data/) a CSV of `rows` rows from a seeded k-cluster
// mixture in d dimensions (bench/lib/gen.mjs's generator, written chunk by chunk), then runs
// `fit G on d by incremental(stream = true, ...)` through a Session in this process and
// prints one JSON line: rows, file size, the fit's time (the learning pass and the scoring
// pass), components kept, the mean log-likelihood, and the process's peak RSS. Run it at two
// sizes (e.g. --rows 1000000 and --rows 10000000): bounded memory means the same peak RSS.
import { closeSync, existsSync, mkdirSync, openSync, renameSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { compile } from '../dist/compiler/compile.js';
import { Session } from '../dist/session/session.js';
import { Rng } from '../dist/stdlib/random.js';
import { peakMb } from './lib/stats.mjs';

function arg(name, dflt) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}
const rows = arg('rows', 10_000_000);
const d = arg('d', 4);
const k = arg('k', 8);
const maxK = arg('max-k', 2 * k);
const chunk = arg('chunk', 65536);
const seed = 5;

/** k clusters with centres in [-10, 10]^d and per-coordinate scales in [0.3, 1.3]; rows written 20,000 at a time. */
function ensureCsv() {
  const dir = join(tmpdir(), 'pmix-bench-data');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `incremental-${rows}x${d}-k${k}-s${seed}.csv`);
  if (existsSync(path)) return { path, generated_ms: 0 };
  const t = performance.now();
  const rng = new Rng(seed);
  const centres = Float64Array.from({ length: k * d }, () => 20 * rng.uniform() - 10);
  const scales = Float64Array.from({ length: k * d }, () => 0.3 + rng.uniform());
  const tmp = `${path}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, Array.from({ length: d }, (_, j) => `x${j}`).join(',') + '\n');
    const lines = [];
    for (let i = 0; i < rows; i++) {
      const c = rng.int(k);
      const cells = new Array(d);
      for (let j = 0; j < d; j++) cells[j] = (centres[c * d + j] + scales[c * d + j] * rng.normal()).toFixed(4);
      lines.push(cells.join(','));
      if (lines.length === 20000 || i === rows - 1) {
        writeSync(fd, lines.join('\n') + '\n');
        lines.length = 0;
      }
    }
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  return { path, generated_ms: Math.round(performance.now() - t) };
}

const { path, generated_ms } = ensureCsv();
const names = Array.from({ length: d }, (_, j) => `x${j}`);
const text = `data d from "${path}" { ${names.map((v) => `${v}: real`).join(', ')} }
model G = mixture(k = ${maxK}) of Normal(full)
fit G on d by incremental(stream = true, chunk = ${chunk})
`;
const { program, diagnostics } = compile(text, join(tmpdir(), 'bench-incremental-stream.pmix'));
if (!program) throw new Error(diagnostics.map((e) => e.message).join('; '));
const rssBefore = process.memoryUsage().rss / 2 ** 20;
const session = new Session(program, { maxMemory: 2 ** 40 });
const t0 = performance.now();
const summary = session.fit(program.steps[0]);
const fitMs = performance.now() - t0;
process.stdout.write(
  `${JSON.stringify({
    rows: summary.rows,
    d,
    clusters: k,
    max_k: maxK,
    chunk,
    file_mb: Math.round(statSync(path).size / 1e6),
    generated_ms,
    fit_ms: Math.round(fitMs),
    rows_per_s_both_passes: Math.round((summary.rows * 1000) / fitMs),
    components: summary.incremental.components,
    created: summary.incremental.created,
    pruned: summary.incremental.pruned,
    merged: summary.incremental.merged,
    mean_log_likelihood: summary.mean_log_likelihood,
    rss_mib_before_fit: Math.round(rssBefore),
    rss_mib_end: Math.round(process.memoryUsage().rss / 2 ** 20),
    peak_rss_mib: Math.round(peakMb()),
    node: process.version,
  })}\n`,
);
