// pmix score MODEL.json --data PATH.csv: mean log-likelihood per row of a data set under a
// fitted model (missing cells marginalized); --per-row prints every row's log-density. As in
// scikit-learn's score, the mean is over every row given: an all-empty row scores exactly 0 (the
// log of the probability of observing nothing) and counts, so the mean equals the fit's. The
// CSV is read in chunks (runtime/data/csv-stream.ts), so a file larger than memory scores in
// bounded memory (--per-row with --json still collects every row's value).
import { DataStreamError, openCsvStream } from '../../runtime/data/csv-stream.js';
import { familyOf } from '../../families/index.js';
import { EXIT_INPUT, Exit, fail, jsonText, type Output } from '../io.js';
import { loadArtifact } from '../load.js';
import { num } from '../../api/index.js';
import { zeroEmptyRows } from '../../runtime/queries/empty-rows.js';

/** Rows scored per chunk. */
export const SCORE_CHUNK = 65536;

export function scoreCommand(modelPath: string, opts: { data: string; perRow?: boolean; chunk?: number; points?: number }, io: Output): void {
  const { state } = loadArtifact(modelPath, io, opts.points);
  const vars = state.graph.vars;
  const family = familyOf(state.graph);
  const { stream, diagnostics } = openCsvStream({
    name: 'data',
    path: opts.data,
    columns: vars.map((v) => ({ name: v.name, type: v.type.kind === 'categorical' ? { kind: 'categorical', levels: v.type.levels } : { kind: v.type.kind } })),
  });
  if (!stream) fail(diagnostics, new Map(), io);
  const perRow: number[] = [];
  const text: string[] = [];
  let s = 0;
  let rows = 0;
  let empty = 0;
  try {
    for (const b of stream.batches(opts.chunk ?? SCORE_CHUNK)) {
      // The stream's columns are the model's variables, in order.
      const x = b.values.subarray(0, b.n * vars.length);
      // A GP scores each row's outputs by their predictive density given its inputs.
      const lp = family.logDensityRows(state, x, b.n);
      // An all-empty row scores exactly 0 (not a rounding error) and counts in the mean.
      const none = zeroEmptyRows(x, b.n, vars.length, lp);
      for (let i = 0; i < b.n; i++) s += lp[i]!;
      rows += b.n;
      empty += none;
      if (opts.perRow && io.json) for (let i = 0; i < b.n; i++) perRow.push(lp[i]!);
      else if (opts.perRow) {
        if (b.first === 0) io.out('log_density');
        for (let i = 0; i < b.n; i++) text.push(num(lp[i]!, 10));
        io.out(text.join('\n'));
        text.length = 0;
      }
    }
  } catch (e) {
    if (e instanceof DataStreamError) fail(e.diagnostics, new Map(), io);
    throw e;
  }
  if (rows === empty) {
    // A mean over no rows with data is not a score: "0 over 0 rows" with exit 0 hid an empty file.
    io.err(`error: ${opts.data}: no data rows to score (${empty ? `all ${empty} rows are empty` : 'the file has a header only'})`);
    if (io.json) io.out(jsonText({ ok: false, error: { code: 'no-data', message: 'no data rows to score' } }));
    throw new Exit(EXIT_INPUT);
  }
  const mean = s / rows;
  if (io.json) {
    io.out(jsonText({ mean_log_likelihood: mean, n: rows, empty_rows: empty, ...(opts.perRow ? { per_row: perRow } : {}) }));
    return;
  }
  const skipped = empty ? ` (${empty} empty row${empty > 1 ? 's' : ''}, scoring 0)` : '';
  if (opts.perRow) io.err(`mean log-likelihood ${num(mean)} over ${rows} rows${skipped}`);
  else io.out(`mean log-likelihood ${num(mean)} over ${rows} rows${skipped}`);
}
